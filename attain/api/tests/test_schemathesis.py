"""Property tests of the whole API against its own OpenAPI document (Schemathesis).

``/api/openapi.json`` is loaded from the Django app (WSGI, in process: the requests see the
test's database). Every operation is run with a bounded number of generated requests, as
the admin and as a rep, on the shared small company (attain/conftest.py) plus a few CRM
records, a published target plan and an import batch, so that path parameters also hit
records that exist. Each response must:

- not be a server error (5xx);
- have a status code the document lists for the operation;
- have the content type and body the document describes for that status;
- have the headers the document describes;

and a request that breaks the document (negative mode: wrong types, missing fields,
values out of range) must be refused with a 4xx.

Bounds: ``EXAMPLES`` generated requests per operation and mode (derandomized: the same
requests every run), no shrinking, and ``BUDGET`` seconds per role after which the
remaining operations get a single valid example each (and no invalid ones). Failures
are collected for every operation and reported together.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 10
BUDGET = 100.0  # seconds per role

POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]


@dataclass
class Tally:
    operations: int = 0
    examples: int = 0
    unbreakable: int = 0
    over_budget: int = 0
    failures: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)


def _records(company: Any) -> dict[str, Any]:
    """A few records on top of the company, so that path parameters can name real ones:
    path parameter values per operation path prefix."""
    from attain.crm import services as crm
    from attain.intake import services as intake
    from attain.targets.tests.conftest import new_plan, publish

    people = company.people
    today = timezone.localdate()
    customer = crm.create_customer(None, name="甲一科技", owner=people["r1"])
    other = crm.create_customer(None, name="丁四物流", owner=people["r4"])
    order = crm.record_order(
        None, customer=customer, owner=people["r1"], date=today, amount=Decimal(100)
    )
    payment = crm.record_payment(
        None, customer=customer, collector=people["r1"], date=today, amount=Decimal(60)
    )
    activity = crm.log_activity(
        None,
        kind="visit",
        customer=customer,
        owner=people["r1"],
        occurred_at=timezone.now(),
        summary="拜访",
    )
    ticket = crm.open_ticket(None, customer=customer, kind="complaint", summary="s")
    plan = publish(company, new_plan(company, company.users["sales_ops"], name="FY"))
    batch = intake.create_batch(
        company.users["admin"],
        "customers",
        SimpleUploadedFile("c.csv", b"name\nA\n", content_type="text/csv"),
    )
    from attain.incentives import governance
    from attain.incentives import services as incentives
    from attain.incentives.documents import marginal_commission, plan_document

    incentive_plan = incentives.save_plan_version(
        None,
        plan_document(
            "gov", "gov", "rep", 2026, [marginal_commission("c", [(0, Decimal("0.01"))])]
        ),
    )
    governance.submit_plan_version(None, incentive_plan)
    contact = crm.create_contact(None, customer=customer, name="王")
    line = crm.create_product_line(None, code="pl", name="Line")
    product = crm.create_product(None, code="p1", name="P", line=line)
    del other
    from attain.pay.tests.payout_factories import AMOUNTS, dispute_line, store

    store(company, AMOUNTS)  # payouts for the register, payroll and accrual
    dispute = dispute_line(company)
    return {
        "/api/customers/": {"external_id": customer.external_id},
        "/api/contacts/": {"external_id": contact.external_id},
        "/api/orders/": {"external_id": order.external_id},
        "/api/payments/": {"external_id": payment.external_id},
        "/api/activities/": {"external_id": activity.external_id},
        "/api/tickets/": {"external_id": ticket.external_id},
        "/api/units/": {"code": "east"},
        "/api/people/": {"code": "r1"},
        "/api/targets/plans/": {"id": str(plan.pk)},
        "/api/imports/": {"id": batch.pk},
        "/api/product-lines/": {"code": line.code},
        "/api/products/": {"code": product.code},
        "/api/performance/results/": {"code": "r1", "period": "2026-01"},
        "/api/plans/": {"code": "gov", "number": incentive_plan.number},
        "/api/pay/disputes/": {"id": dispute.pk},
    }


def _known(path: str, parameters: set[str], records: dict[str, Any]) -> dict[str, Any] | None:
    for prefix, values in records.items():
        if path.startswith(prefix) and parameters <= values.keys():
            return {name: values[name] for name in parameters}
    return None


def _run(schema: Any, user: Any, records: dict[str, Any]) -> Tally:

    tally = Tally()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        over = time.monotonic() - started > BUDGET
        path_names = {p.name for p in operation.path_parameters}
        known = _known(operation.path, path_names, records) if path_names else None
        for mode, checks in (
            (GenerationMode.POSITIVE, POSITIVE_CHECKS),
            (GenerationMode.NEGATIVE, NEGATIVE_CHECKS),
        ):
            breakable = operation.query or operation.path_parameters or len(operation.body)
            if mode is GenerationMode.NEGATIVE and not breakable:
                tally.unbreakable += 1
                continue
            if mode is GenerationMode.NEGATIVE and over:
                tally.over_budget += 1
                continue
            strategy = operation.as_strategy(generation_mode=mode)
            if known is not None and mode is GenerationMode.POSITIVE:
                strategy = st.one_of(
                    strategy, operation.as_strategy(generation_mode=mode, path_parameters=known)
                )
            label = f"{operation.label} [{mode.value}]"
            began = time.monotonic()
            _explore(strategy, label, checks, over, user, tally)
            tally.seconds[label] = time.monotonic() - began
    return tally


def _explore(
    strategy: Any, label: str, checks: list[Any], over: bool, user: Any, tally: Tally
) -> None:
    from attain.accounts import tokens

    @settings(
        max_examples=1 if over else EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        tally.examples += 1
        headers = {"Authorization": f"Token {tokens.issue(user).key}"}
        response = case.call(headers=headers)
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                first = " ".join(failure.message.split())[:200]
                where = f"{case.method} {case.formatted_path} → {response.status_code}"
                tally.failures.setdefault(label, {}).setdefault(
                    f"{failure.code} {failure.title}: {first}", where
                )

    try:
        run()
    except Unsatisfiable:  # nothing to break (an operation without parameters or body)
        tally.unbreakable += 1


def _report(role: str, tally: Tally) -> str:
    lines = [
        f"{role}: {tally.operations} operations, {tally.examples} examples, "
        f"{len(tally.failures)} failing operation modes, "
        f"{sum(len(p) for p in tally.failures.values())} distinct failures, "
        f"{tally.unbreakable} without anything to break, "
        f"{tally.over_budget} negative runs left out over the budget; "
        f"statuses {dict(tally.statuses)}"
    ]
    for label, problems in sorted(tally.failures.items()):
        lines.append(f"--- {label}")
        lines.extend(f"    {problem}  [{where}]" for problem, where in problems.items())
    slowest = ", ".join(
        f"{label} {seconds:.1f}s" for label, seconds in tally.seconds.most_common(8)
    )
    lines.append(f"slowest: {slowest}")
    return "\n".join(lines)


@pytest.fixture
def connection_kept_open():
    """The WSGI handler closes the database connection at the start and end of each
    request (``close_old_connections``), which on PostgreSQL would close the test's
    transaction under it; Django's own test client disconnects those signals the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["admin", "rep"])
def test_every_operation_conforms_to_the_document(
    role, company, settings, tmp_path, connection_kept_open
) -> None:
    from config.wsgi import application

    settings.MEDIA_ROOT = tmp_path
    records = _records(company)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    tally = _run(schema, company.users[role], records)
    report = _report(role, tally)
    print(report)
    assert not tally.failures, report
