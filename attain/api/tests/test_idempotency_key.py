"""An integration that times out sends its POST again: with an ``Idempotency-Key`` the
retry gets the first answer and nothing is recorded twice (attain.api.idempotency)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from attain.accounts.tokens import issue
from attain.audit.models import AuditEvent
from attain.crm import services as crm_services
from attain.crm.models import Order, Payment
from attain.pay import services_payouts
from attain.pay.models import Payout
from attain.pay.tests.payout_factories import AMOUNTS, PERIOD, store
from attain.web.models import SentRequest
from attain.web.testing import at_once


def token_client(company, role: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {issue(company.users[role]).key}")


def bodies(company) -> dict[str, dict[str, str]]:
    customer = crm_services.create_customer(None, name="甲一科技", owner=company.people["r1"])
    code = customer.external_id
    return {
        "orders": {"customer": code, "owner": "r1", "date": "2026-05-05", "amount": "10.00"},
        "payments": {"customer": code, "collector": "r1", "date": "2026-05-05", "amount": "5"},
    }


def post(client: Client, path: str, body: dict, key: str | None, **headers: str):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body, content_type="application/json", **headers)


@pytest.mark.parametrize(("endpoint", "model"), [("orders", Order), ("payments", Payment)])
def test_a_retry_gets_the_first_answer_and_records_once(company, endpoint, model):
    client = token_client(company, "admin")
    body = bodies(company)[endpoint]
    before = model.objects.count()
    first = post(client, f"/api/{endpoint}/", body, "erp-7f3a")
    again = post(client, f"/api/{endpoint}/", body, "erp-7f3a")
    assert first.status_code == 201, first.content
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert model.objects.count() == before + 1


def test_without_the_header_a_retry_records_twice_as_before(company):
    client = token_client(company, "admin")
    body = bodies(company)["orders"]
    before = Order.objects.count()
    assert post(client, "/api/orders/", body, None).status_code == 201
    assert post(client, "/api/orders/", body, None).status_code == 201
    assert Order.objects.count() == before + 2
    assert not SentRequest.objects.exists()


def test_a_payout_action_sent_again_is_done_once(company):
    store(company, AMOUNTS)
    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    services_payouts.review_payouts(company.users["manager"], [payout])
    client = token_client(company, "finance")
    body = {"action": "approve", "period": PERIOD, "people": ["r1"]}
    first = post(client, "/api/pay/payouts/actions/", body, "payroll-2026-03")
    events = AuditEvent.objects.count()
    again = post(client, "/api/pay/payouts/actions/", body, "payroll-2026-03")
    assert first.status_code == 200, first.content
    assert (again.status_code, again.content) == (200, first.content)
    assert AuditEvent.objects.count() == events  # not approved (nor audited) twice
    assert Payout.objects.get(pk=payout.pk).state == "approved"


def test_the_same_key_with_another_body_is_refused_in_the_callers_language(company):
    client = token_client(company, "admin")
    body = bodies(company)["orders"]
    assert post(client, "/api/orders/", body, "k1").status_code == 201
    other = post(client, "/api/orders/", {**body, "amount": "11.00"}, "k1")
    assert other.status_code == 422, other.content
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "different request" in other.json()["error"]["message"]
    elsewhere = post(client, "/api/payments/", body, "k1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert elsewhere.status_code == 422
    assert "幂等键" in elsewhere.json()["error"]["message"]
    assert Order.objects.filter(amount="11.00").count() == 0


def test_a_key_is_the_callers_own(company):
    body = bodies(company)["orders"]
    before = Order.objects.count()
    assert post(token_client(company, "admin"), "/api/orders/", body, "k1").status_code == 201
    assert post(token_client(company, "sales_ops"), "/api/orders/", body, "k1").status_code == 201
    assert Order.objects.count() == before + 2


def test_a_key_expires_after_a_day(company):
    client = token_client(company, "admin")
    body = bodies(company)["orders"]
    before = Order.objects.count()
    assert post(client, "/api/orders/", body, "k1").status_code == 201
    SentRequest.objects.update(sent_at=timezone.now() - datetime.timedelta(hours=25))
    later = post(client, "/api/orders/", body, "k1")
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert Order.objects.count() == before + 2
    assert SentRequest.objects.count() == 1  # the expired one is gone


def test_a_refused_request_does_not_spend_its_key(company):
    client = token_client(company, "admin")
    body = bodies(company)["orders"]
    refused = post(client, "/api/orders/", {**body, "amount": "ten"}, "k1")
    assert refused.status_code == 400
    assert post(client, "/api/orders/", body, "k1").status_code == 201
    assert Order.objects.filter(amount="10.00").count() == 1


def test_a_patch_sent_again_is_done_once(company):
    client = token_client(company, "admin")
    body = {"name": "华东精密", "reason": "renamed"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "rename-1"}
    first = client.patch("/api/company/", body, content_type="application/json", **headers)
    events = AuditEvent.objects.count()
    again = client.patch("/api/company/", body, content_type="application/json", **headers)
    assert first.status_code == 200, first.content
    assert (again.status_code, again.content) == (200, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.count() == events


def test_a_caller_not_signed_in_is_told_401_and_nothing_is_kept(company):
    answer = post(Client(), "/api/orders/", bodies(company)["orders"], "k1")
    assert answer.status_code == 401
    wrong = post(Client(HTTP_AUTHORIZATION="Token nope"), "/api/orders/", {}, "k1")
    assert wrong.status_code == 401
    assert not SentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_key_that_is_not_one_is_a_400(company, key):
    client = token_client(company, "admin")
    answer = post(client, "/api/orders/", bodies(company)["orders"], key)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_idempotency_key"


def test_the_ietf_drafts_quoted_key_is_the_same_key(company):
    client = token_client(company, "admin")
    body = bodies(company)["orders"]
    assert post(client, "/api/orders/", body, "k1").status_code == 201
    assert post(client, "/api/orders/", body, '"k1"')["Idempotent-Replayed"] == "true"


def test_the_openapi_document_lists_the_header_and_the_422(company):
    client = token_client(company, "admin")
    operation = client.get("/api/openapi.json").json()["paths"]["/api/orders/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    assert "422" in operation["responses"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_retries_at_the_same_moment_record_once(company):
    """The second waits for the first (the key's row lock) and gets its answer."""
    body = bodies(company)["orders"] | {"amount": "77.00"}
    token = issue(company.users["admin"]).key

    def send() -> tuple[int, bytes]:
        answer = post(Client(HTTP_AUTHORIZATION=f"Token {token}"), "/api/orders/", body, "erp-race")
        return answer.status_code, answer.content

    answers = at_once(send)
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Order.objects.filter(amount="77.00").count() == 1


def test_a_form_body_sent_through_a_session_is_replayed_too(company):
    """A signed-in page's script posting a multipart form: the session's CSRF check
    reads the form before the key's fingerprint did (then a 413 "too large")."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(company.users["admin"])
    client.cookies["csrftoken"] = token = "k" * 32
    headers = {"HTTP_IDEMPOTENCY_KEY": "form-1", "HTTP_X_CSRFTOKEN": token}
    body = bodies(company)["orders"]
    before = Order.objects.count()
    first = client.post("/api/orders/", body, **headers)
    again = client.post("/api/orders/", body, **headers)
    assert first.status_code == 201, first.content
    assert (again.status_code, again.content) == (201, first.content)
    assert Order.objects.count() == before + 1


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(company):
    """An HTTP library writes a new multipart boundary each time it encodes a form (a
    file import retried after a timeout): the retry is the same request, not 422."""
    from django.test.client import encode_multipart

    client = token_client(company, "admin")
    body = bodies(company)["orders"]
    before = Order.objects.count()
    answers = []
    for boundary in ("a1b2c3d4e5f6", "f6e5d4c3b2a1"):
        answers.append(
            client.post(
                "/api/orders/",
                encode_multipart(boundary, body),
                content_type=f"multipart/form-data; boundary={boundary}",
                HTTP_IDEMPOTENCY_KEY="import-2026-05",
            )
        )
    first, again = answers
    assert first.status_code == 201, first.content
    assert (again.status_code, again.content) == (201, first.content), again.content
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_one_callers_slow_request_does_not_hold_up_another_callers(company, monkeypatch):
    """Forgetting expired keys is no part of a request's transaction: a request that
    deleted them and then ran for long held their rows, and every other caller's request
    (whose purge found the same rows) waited for it to end."""
    import threading
    import time

    from attain.crm import api as crm_api

    body = bodies(company)["orders"]
    admin, ops = (issue(company.users[role]).key for role in ("admin", "sales_ops"))
    SentRequest.objects.create(
        key="old", user_id=company.users["finance"].pk, fingerprint="-", status=201
    )
    SentRequest.objects.update(sent_at=timezone.now() - datetime.timedelta(hours=25))
    inside, release = threading.Event(), threading.Event()
    record_order = crm_api.record_order

    def slow(actor, **fields):
        if actor.pk == company.users["admin"].pk:
            inside.set()
            release.wait(timeout=8)
        return record_order(actor, **fields)

    monkeypatch.setattr(crm_api, "record_order", slow)
    slow_answer: list[int] = []

    def send_slow() -> None:
        client = Client(HTTP_AUTHORIZATION=f"Token {admin}")
        slow_answer.append(post(client, "/api/orders/", body, "slow-1").status_code)
        connection.close()

    thread = threading.Thread(target=send_slow)
    thread.start()
    try:
        assert inside.wait(timeout=10)
        began = time.monotonic()
        other = post(Client(HTTP_AUTHORIZATION=f"Token {ops}"), "/api/orders/", body, "quick-1")
        waited = time.monotonic() - began
    finally:
        release.set()
        thread.join()
    assert other.status_code == 201, other.content
    assert slow_answer == [201]
    assert waited < 4, f"the other caller waited {waited:.1f} s"
