"""Who gets what from every API endpoint: every role (and no login) × every operation.

The company is the shared small one (attain/conftest.py: the manager login is m1, who
leads east with r1, r2 and m2 ─ r3; the rep login is r1; west is m3 ─ r4) with the CRM
records of attain/crm/tests/conftest.py (``c_r1`` is r1's customer, ``c_r4`` r4's), a
published FY2026 target plan, an opportunity and a ticket of r1's, a survey about r2, a
training score of r1, a rating of r4 by r2, an import batch by the admin (not failed, so
a retry is refused), a finished calculation run and a finished what-if run, an order r1
entered themself (so it waits for verification, docs/pay.md), incentive plan versions
gov-draft (a draft), gov-sub (submitted) and gov-ok (approved), and a dispute r1 opened
on their 2026-Q1 commission line. Each cell is the status the role gets; every request
runs in its own transaction, rolled back, so one role's write does not change what the
next one sees.

Reads follow the one visibility rule (attain.org.selectors.visible_people): a record of
someone the caller may not see is a 404, as if it did not exist. ``400`` in a write
row means the role may write but the request is refused for its content (the admin and
the organisation-wide roles have no person of their own, so "my" fields are missing).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from attain.conftest import ROLE_COLUMNS, Company
from attain.crm import services as crm_services
from attain.crm.tests.conftest import Crm, crm  # noqa: F401  (the fixture)
from attain.incentives.models import CalculationRun, RunKind
from attain.intake import services as intake_services
from attain.pay.models_statements import StatementSet
from attain.pay.services_statements import generate_statements
from attain.pay.tests.payout_factories import AMOUNTS as PAYOUT_AMOUNTS
from attain.pay.tests.payout_factories import dispute_line
from attain.pay.tests.payout_factories import store as store_payouts
from attain.reviews.tests.factories import action as review_action
from attain.reviews.tests.factories import review as review_factory
from attain.targets.tests.conftest import new_plan, publish

# operation (method, path with {names} filled from the records) → status per column of
# COLUMNS: admin sales_ops finance executive manager rep leaver anonymous. The leaver is
# the rep's login (r1, whose records these are) after r1 left: only their own pay,
# statements, disputes and notifications, their login and token (docs/pay.md).
STATUSES = """
    operation                                  admin ops fin exec mgr rep left anon
    GET    /api/me/                            200  200 200 200  200 200 200 401
    GET    /api/company/                       200  403 403 403  403 403 403 401
    PATCH  /api/company/                       200  403 403 403  403 403 403 401
    POST   /api/auth/token/                    200  200 200 200  200 200 200 400
    DELETE /api/auth/token/                    204  204 204 204  204 204 204 401
    GET    /api/audit/                         200  200 403 403  403 403 403 401
    GET    /api/audit/verify/                  200  200 403 403  403 403 403 401
    GET    /api/units/                         200  200 200 200  200 200 403 401
    POST   /api/units/                         201  201 403 403  403 403 403 401
    GET    /api/units/east/                    200  200 200 200  200 200 403 401
    PATCH  /api/units/east/                    200  200 403 403  403 403 403 401
    GET    /api/people/                        200  200 200 200  200 200 403 401
    POST   /api/people/                        201  201 403 403  403 403 403 401
    GET    /api/people/r2/                     200  200 200 200  200 404 403 401
    GET    /api/people/r4/                     200  200 200 200  404 404 403 401
    PATCH  /api/people/r2/                     200  200 403 403  403 404 403 401
    GET    /api/people/r2/history/             200  200 200 200  200 404 403 401
    POST   /api/people/r2/transfer/            200  200 403 403  403 404 403 401
    POST   /api/people/r2/end-employment/      200  200 403 403  403 404 403 401
    POST   /api/people/r2/undo-change/         400  400 403 403  403 404 403 401
    GET    /api/customers/                     200  200 200 200  200 200 403 401
    POST   /api/customers/                  201  201 201 403  201 201 403 401
    GET    /api/customers/{c_r1}/              200  200 200 200  200 200 403 401
    GET    /api/customers/{c_r4}/              200  200 200 200  404 404 403 401
    GET    /api/customers/{c_r1}/360/          200  200 200 200  200 200 403 401
    GET    /api/contacts/                      200  200 200 200  200 200 403 401
    POST   /api/contacts/                   201  201 201 403  201 201 403 401
    GET    /api/contacts/{contact}/            200  200 200 200  200 200 403 401
    GET    /api/opportunities/                 200  200 200 200  200 200 403 401
    GET    /api/opportunities/{opportunity}/   200  200 200 200  200 200 403 401
    GET    /api/opportunities/{opportunity}/history/  200 200 200 200 200 200 403 401
    POST   /api/opportunities/{opportunity}/move/ 200 200 200 403 200 200 403 401
    GET    /api/activities/                    200  200 200 200  200 200 403 401
    POST   /api/activities/                 201  201 201 403  201 201 403 401
    GET    /api/activities/{activity}/         200  200 200 200  200 200 403 401
    GET    /api/orders/                        200  200 200 200  200 200 403 401
    POST   /api/orders/                     201  201 201 403  201 201 403 401
    GET    /api/orders/{o_r1}/                 200  200 200 200  200 200 403 401
    GET    /api/orders/{o_r4}/                 200  200 200 200  404 404 403 401
    GET    /api/payments/                      200  200 200 200  200 200 403 401
    POST   /api/payments/                      201  201 201 403  201 201 403 401
    GET    /api/payments/{p_r1}/               200  200 200 200  200 200 403 401
    GET    /api/payments/{p_r4}/               200  200 200 200  404 404 403 401
    GET    /api/tickets/                       200  200 200 200  200 200 403 401
    POST   /api/tickets/                    201  201 201 403  201 201 403 401
    GET    /api/tickets/{ticket}/              200  200 200 200  200 200 403 401
    POST   /api/tickets/{ticket}/status/    200  200 200 403  200 200 403 401
    GET    /api/surveys/                       200  200 200 200  200 200 403 401
    POST   /api/surveys/                    201  201 201 403  201 403 403 401
    GET    /api/surveys/{survey}/           200  200 200 200  200 404 403 401
    GET    /api/training-scores/{training}/ 200  200 200 200  200 200 403 401
    GET    /api/peer-ratings/{rating}/      200  200 200 200  404 404 403 401
    GET    /api/training-scores/               200  200 200 200  200 200 403 401
    POST   /api/training-scores/               201  201 403 403  201 403 403 401
    GET    /api/peer-ratings/                  200  200 200 200  200 200 403 401
    POST   /api/peer-ratings/                  400  400 400 400  201 201 403 401
    GET    /api/product-lines/                 200  200 200 200  200 200 403 401
    POST   /api/product-lines/                 201  201 403 403  403 403 403 401
    GET    /api/product-lines/pl/              200  200 200 200  200 200 403 401
    GET    /api/products/                      200  200 200 200  200 200 403 401
    POST   /api/products/                      201  201 403 403  403 403 403 401
    GET    /api/products/p1/                   200  200 200 200  200 200 403 401
    POST   /api/imports/                    202  202 202 403  403 403 403 401
    GET    /api/imports/{batch}/            200  200 200 404  404 404 403 401
    POST   /api/imports/{batch}/retry/      400  400 400 404  404 404 403 401
    POST   /api/calculation-runs/           202  202 403 403  403 403 403 401
    GET    /api/calculation-runs/{run}/     200  200 403 403  403 403 403 401
    GET    /api/targets/plans/                 200  200 200 200  200 200 403 401
    GET    /api/targets/plans/{plan}/          200  200 200 200  200 200 403 401
    GET    /api/targets/plans/{plan}/grid/     200  200 200 200  200 200 403 401
    POST   /api/targets/plans/{plan}/acknowledge/ 403 403 403 403 400 200 403 401
    GET    /api/targets/published/             200  200 200 200  200 200 403 401
    GET    /api/targets/pace/                  200  200 200 200  200 200 403 401
    GET    /api/targets/forecast/              200  200 200 200  200 200 403 401
    GET    /api/performance/results/           200  200 200 200  200 200 403 401
    GET    /api/performance/results/r1/2026-03/explanation/  404 404 404 404 404 404 403 401
    GET    /api/performance/leaderboard/       200  200 200 200  200 200 403 401
    GET    /api/performance/effectiveness/     200  200 403 200  403 403 403 401
    POST   /api/performance/what-if/           202  202 403 202  403 403 403 401
    GET    /api/performance/what-if/{what_if}/ 200  200 403 200  403 403 403 401
    GET    /api/pay/payouts/                   200  200 200 200  200 200 200 401
    POST   /api/pay/payouts/actions/           200  403 403 403  200 403 403 401
    GET    /api/pay/payroll/                   200  200 200 403  403 403 403 401
    POST   /api/pay/payroll/paid/              400  403 400 403  403 403 403 401
    GET    /api/pay/payroll/columns/           200  200 200 403  403 403 403 401
    PUT    /api/pay/payroll/columns/           200  200 200 403  403 403 403 401
    GET    /api/pay/accrual/                   200  200 200 200  403 403 403 401
    GET    /api/pay/periods/                   200  200 200 200  403 403 403 401
    POST   /api/pay/periods/close/             202  202 202 403  403 403 403 401
    POST   /api/pay/periods/reopen/            400  400 403 403  403 403 403 401
    GET    /api/pay/adjustments/               200  200 200 200  200 200 200 401
    GET    /api/pay/adjustments/stranded/      200  200 200 200  403 403 403 401
    POST   /api/pay/adjustments/stranded/settle/  400 403 400 403 403 403 403 401
    GET    /api/pay/deficits/stranded/         200  200 200 200  403 403 403 401
    POST   /api/pay/deficits/stranded/settle/  400 403 400 403 403 403 403 401
    GET    /api/pay/statements/                200  200 200 200  200 200 200 401
    GET    /api/pay/statements/{statement_r1}/pdf/  200 200 200 200 200 200 200 401
    GET    /api/pay/statements/{statement_r4}/pdf/  200 200 200 200 404 404 404 401
    POST   /api/pay/statements/{statement_r1}/acknowledge/  403 403 403 403 403 200 200 401
    POST   /api/pay/statements/{statement_r4}/acknowledge/  403 403 403 403 404 404 404 401
    POST   /api/pay/statements/generate/       202  202 202 403  403 403 403 401
    GET    /api/pay/statements/sets/{statement_set}/  200 200 200 403 403 403 403 401
    GET    /api/pay/records/                   200  200 200 403  403 403 403 401
    POST   /api/pay/records/verify/            200  200 200 403  403 403 403 401
    GET    /api/pay/policies/                  200  200 200 403  403 403 403 401
    PUT    /api/pay/policies/                  200  200 403 403  403 403 403 401
    GET    /api/pay/disputes/                  200  200 200 403  200 200 200 401
    POST   /api/pay/disputes/                  403  403 403 403  201 201 201 401
    GET    /api/pay/disputes/stats/            200  200 200 200  403 403 403 401
    GET    /api/pay/disputes/{dispute}/        200  200 200 404  200 200 200 401
    POST   /api/pay/disputes/{dispute}/messages/   201 201 201 404 403 201 201 401
    POST   /api/pay/disputes/{dispute}/actions/    200 200 403 404 403 403 403 401
    GET    /api/plans/                         200  200 403 200  403 403 403 401
    POST   /api/plans/gov-draft/versions/1/submit/   200 200 403 403 403 403 403 401
    POST   /api/plans/gov-sub/versions/1/approve/    200 403 403 200 403 403 403 401
    POST   /api/plans/gov-sub/versions/1/return/     200 200 403 200 403 403 403 401
    POST   /api/plans/gov-ok/versions/1/activate/    200 200 403 403 403 403 403 401
    GET    /api/notifications/                 200  200 200 200  200 200 200 401
    POST   /api/notifications/read/            200  200 200 200  200 200 200 401
    GET    /api/reviews/                       200  200 403 200  200 200 403 401
    POST   /api/reviews/                       201  403 403 403  201 403 403 401
    GET    /api/reviews/{review}/              200  200 403 200  200 200 403 401
    GET    /api/reviews/{review_west}/         200  200 403 200  404 404 403 401
    POST   /api/reviews/{review}/comments/     201  403 403 403  201 201 403 401
    POST   /api/reviews/{review}/actions/      201  403 403 403  201 201 403 401
    POST   /api/reviews/actions/{action}/tick/ 200  403 403 403  200 200 403 401
    GET    /api/reviews/people/r1/             200  200 403 200  200 200 403 401
    GET    /api/reviews/people/r4/             200  200 403 200  404 404 403 401
"""


COLUMNS = (*ROLE_COLUMNS[:-1], "leaver", "anonymous")


def _rows() -> list[tuple[str, str, dict[str, int]]]:
    header, *lines = [line.split() for line in STATUSES.strip().splitlines()]
    assert len(header) == 1 + len(COLUMNS), header
    rows = []
    for method, path, *cells in lines:
        assert len(cells) == len(COLUMNS), path
        rows.append((method, path, dict(zip(COLUMNS, map(int, cells), strict=True))))
    return rows


ROWS = _rows()
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def records(company: Company, crm: Crm, settings: Any, tmp_path: Any) -> dict[str, str]:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    people = company.people
    customer = crm.customers["c_r1"]
    opportunity = crm_services.create_opportunity(
        None, customer=customer, name="机会", owner=people["r1"], amount=Decimal(1000)
    )
    ticket = crm_services.open_ticket(
        None, customer=customer, kind="complaint", owner=people["r1"], opened_on=TODAY
    )  # resolved on TODAY below: not before it was opened
    contact = crm_services.create_contact(None, customer=customer, name="王")
    activity = crm_services.log_activity(
        None, kind="visit", customer=customer, owner=people["r1"], occurred_at=timezone.now()
    )
    line = crm_services.create_product_line(None, code="pl", name="Line")
    crm_services.create_product(None, code="p1", name="P", line=line)
    survey = crm_services.record_survey(
        None, customer=customer, person=people["r2"], date=TODAY, score=Decimal(4)
    )
    training = crm_services.record_training_score(
        None, person=people["r1"], course="产品", date=TODAY, score=Decimal(90)
    )
    rating = crm_services.record_peer_rating(
        None, rater=people["r2"], person=people["r4"], date=TODAY, score=Decimal(5)
    )
    plan = publish(company, new_plan(company, company.users["sales_ops"], name="FY"))
    store_payouts(company, PAYOUT_AMOUNTS)  # 2026-Q1 payouts, calculated
    dispute = dispute_line(company)
    statement_set = StatementSet.objects.create(period="2026-Q1")
    generate_statements(statement_set.pk, processes=1)  # published statements of 2026-Q1
    statement = dict(statement_set.statements.values_list("person__code", "pk"))
    pending = crm_services.record_order(
        company.users["rep"], customer=customer, owner=people["r1"], date=TODAY, amount=Decimal(50)
    )
    assert pending.verification == "pending"
    _plan_versions()
    run = CalculationRun.objects.create(kind=RunKind.FULL, fiscal_year=2026, status="done")
    what_if = CalculationRun.objects.create(kind=RunKind.PREVIEW, fiscal_year=2026, status="done")
    east_review = review_factory(company, "m1", "2026-Q1", ["r1", "r2", "m2"])
    west_review = review_factory(company, "m3", "2026-Q1", ["r4"])
    agreed = review_action(east_review, "r1", "r1")
    batch = intake_services.create_batch(
        company.users["admin"], "customers", SimpleUploadedFile("c.csv", b"name\nA\n")
    )
    return {
        **{key: c.external_id for key, c in crm.customers.items()},
        **{key: o.external_id for key, o in crm.orders.items()},
        **{key: p.external_id for key, p in crm.payments.items()},
        "opportunity": opportunity.external_id,
        "statement_r1": str(statement["r1"]),
        "statement_r4": str(statement["r4"]),
        "statement_set": str(statement_set.pk),
        "ticket": ticket.external_id,
        "contact": contact.external_id,
        "activity": activity.external_id,
        "survey": survey.external_id,
        "training": training.external_id,
        "rating": rating.external_id,
        "plan": str(plan.pk),
        "batch": str(batch.pk),
        "run": str(run.pk),
        "what_if": str(what_if.pk),
        "pending": pending.external_id,
        "review": str(east_review.pk),
        "review_west": str(west_review.pk),
        "action": str(agreed.pk),
        "dispute": str(dispute.pk),
    }


def _plan_versions() -> None:
    """Incentive plan versions in each state an approval step starts from: gov-draft
    (draft), gov-sub (submitted), gov-ok (approved)."""
    from attain.incentives import governance
    from attain.incentives import services as incentives
    from attain.incentives.documents import marginal_commission, plan_document

    for code in ("gov-draft", "gov-sub", "gov-ok"):
        document = plan_document(
            code, code, "rep", 2026, [marginal_commission("c", [(0, Decimal("0.01"))])]
        )
        version = incentives.save_plan_version(None, document)
        if code != "gov-draft":
            governance.submit_plan_version(None, version)
        if code == "gov-ok":
            governance.approve_plan_version(None, version)


def _body(method: str, path: str, records: dict[str, str], role: str) -> tuple[Any, str]:
    """A request body that the role would be allowed to send, if it may write at all."""
    from attain.conftest import LOGINS

    day = TODAY.isoformat()
    c_r1 = records["c_r1"]
    role = "rep" if role == "leaver" else role  # the rep's login, after r1 left
    bodies: dict[str, Any] = {
        "/api/auth/token/": {
            "username": LOGINS[role][0] if role != "anonymous" else "nobody",
            "password": LOGINS[role][1] if role != "anonymous" else "wrong",
        },
        "/api/company/": {"name": "华东精密", "reason": "renamed"},
        "/api/units/": {"code": "north", "name": "华北", "parent": "hq"},
        "/api/units/east/": {"name": "华东区"},
        "/api/people/": {
            "code": "r9",
            "name": "R9",
            "unit": "east",
            "manager": "m1",
            "title": "rep",
            "start": day,
        },
        "/api/people/r2/": {"name": "R2 二"},
        "/api/people/r2/transfer/": {"on": day, "title": "senior rep"},
        "/api/people/r2/end-employment/": {"on": day},
        "/api/people/r2/undo-change/": {"on": day},  # no change that day: 400 where allowed
        "/api/customers/": {"name": "新客户有限公司", "owner": "r1"},
        "/api/contacts/": {"customer": c_r1, "name": "李"},
        "/api/activities/": {
            "kind": "call",
            "customer": c_r1,
            "owner": "r1",
            "occurred_at": timezone.now().isoformat(),
        },
        "/api/orders/": {"customer": c_r1, "owner": "r1", "date": day, "amount": "10.00"},
        "/api/payments/": {"customer": c_r1, "collector": "r1", "date": day, "amount": "5.00"},
        "/api/tickets/": {"customer": c_r1, "kind": "complaint", "owner": "r1"},
        "/api/surveys/": {"customer": c_r1, "person": "r2", "date": day, "score": "4"},
        "/api/training-scores/": {"person": "r2", "course": "产品", "date": day, "score": "80"},
        "/api/peer-ratings/": {"person": "r2", "date": day, "score": "4"},
        "/api/product-lines/": {"code": "pl2", "name": "Line 2"},
        "/api/products/": {"code": "p2", "name": "P2", "line": "pl"},
        f"/api/opportunities/{records['opportunity']}/move/": {"stage": "lost", "reason": "价格"},
        f"/api/tickets/{records['ticket']}/status/": {"status": "resolved", "on": day},
        f"/api/targets/plans/{records['plan']}/acknowledge/": {"comment": "ok"},
        f"/api/imports/{records['batch']}/retry/": {},
        "/api/calculation-runs/": {"fiscal_year": 2026},
        "/api/performance/what-if/": {
            "plan": "gov-draft",
            "version": 1,
            "start": "2026-Q1",
            "end": "2026-Q2",
        },
        "/api/pay/payouts/actions/": {"action": "review", "period": "2026-Q1", "people": ["r1"]},
        "/api/pay/statements/generate/": {"period": "2026-Q1"},
        f"/api/pay/statements/{records['statement_r1']}/acknowledge/": {},
        f"/api/pay/statements/{records['statement_r4']}/acknowledge/": {},
        "/api/pay/payroll/paid/": {"period": "2026-Q1", "reference": "B-1", "paid_on": day},
        "/api/pay/payroll/columns/": {
            "columns": [
                {"header": "id", "source": "employee_id"},
                {"header": "a", "source": "amount"},
            ],
            "pay_code": "COMM",
        },
        "/api/pay/records/verify/": {"table": "orders", "ids": [records["pending"]]},
        "/api/pay/periods/close/": {"period": "2026-Q1", "reason": "quarter end"},
        "/api/pay/periods/reopen/": {"period": "2026-Q1", "reason": "restate"},
        # nothing waits for a leaver in the shared company: finance may, and is told so
        "/api/pay/adjustments/stranded/settle/": {"adjustment": 1, "reason": "final pay"},
        "/api/pay/deficits/stranded/settle/": {"deficit": 1, "reason": "final pay"},
        "/api/plans/gov-draft/versions/1/submit/": {"reason": "ok"},
        "/api/plans/gov-sub/versions/1/approve/": {"reason": "ok"},
        "/api/plans/gov-sub/versions/1/return/": {"reason": "重做"},
        "/api/plans/gov-ok/versions/1/activate/": {"reason": "ok"},
        "/api/pay/policies/": {
            "table": "orders",
            "review_own": True,
            "max_future_days": 31,
            "amount_ceiling": "100000000.00",
        },
        "/api/notifications/read/": {},
        "/api/reviews/": {"period": "2026-Q2", "manager": "m1"},
        f"/api/reviews/{records['review']}/comments/": {"person": "r1", "text": "好的"},
        f"/api/reviews/{records['review']}/actions/": {
            "person": "r1",
            "text": "每周拜访两家新客户",
            "owner": "r1",
            "due_on": "2026-06-30",
        },
        f"/api/reviews/actions/{records['action']}/tick/": {"done": True},
        "/api/pay/disputes/": {
            "subject": "record",
            "period": "2026-Q1",
            "title": "订单缺失",
            "text": "SO-404",
            "record_table": "orders",
            "record_ref": "SO-404",
        },
        f"/api/pay/disputes/{records['dispute']}/messages/": {"text": "请查看"},
        f"/api/pay/disputes/{records['dispute']}/actions/": {"action": "reject", "reason": "否"},
    }
    if path == "/api/imports/":
        upload = SimpleUploadedFile("c.csv", b"name\nB\n", content_type="text/csv")
        return {"table": "customers", "file": upload}, "multipart"
    if method in {"POST", "PATCH", "PUT"}:
        return bodies[path], "json"
    return None, "json"


def _status(
    client: APIClient, company: Company, role: str, method: str, url: str, body: Any, fmt: str
) -> int:
    client.logout()
    with transaction.atomic():
        if role == "leaver":  # r1 left yesterday; the rep's login is theirs
            left = timezone.localdate() - datetime.timedelta(days=1)
            type(company.people["r1"]).objects.filter(code="r1").update(end=left)
            client.force_authenticate(type(company.users["rep"]).objects.get(username="r1"))
        elif role != "anonymous":
            client.force_authenticate(company.users[role])
        else:
            client.force_authenticate(None)
        response = (
            client.generic(method, url)
            if body is None
            else getattr(client, method.lower())(url, body, format=fmt)
        )
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize(("method", "path", "expected"), ROWS, ids=[f"{m} {p}" for m, p, _ in ROWS])
def test_every_role_gets_the_status_of_the_table(
    method, path, expected, company, records, settings
) -> None:
    settings.AXES_ENABLED = False
    url = path.format(**records)
    found = {}
    for role in COLUMNS:
        body, fmt = _body(method, url, records, role)
        found[role] = _status(APIClient(), company, role, method, url, body, fmt)
    assert found == expected, f"{method} {path}: {found}"


def test_the_table_covers_every_operation_of_the_document(client) -> None:
    document = client.get("/api/openapi.json").json()
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "[^/]+", path))
        for path, operations in document["paths"].items()
        for method in operations
    }
    covered = {
        (method, pattern)
        for method, path, _ in ROWS
        for doc_method, pattern in documented
        if doc_method == method and re.fullmatch(pattern, path.replace("{", "").replace("}", ""))
    }
    assert documented - covered == set()
