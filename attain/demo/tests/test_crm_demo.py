"""The demo company's CRM history: realistic shape, valid by the services' rules,
reproducible, idempotent; and bulk orders for benchmarks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from attain.audit.models import AuditEvent
from attain.calc import tables
from attain.crm import dedupe
from attain.crm.models import (
    Customer,
    Order,
    OrderCredit,
    Payment,
    PeerRating,
    ServiceTicket,
    StageChange,
    Survey,
    TrainingScore,
)
from attain.demo.crm import DEMO_TODAY, load_crm_demo
from attain.demo.generator import DEMO_YEAR, generate, load_demo
from attain.demo.orders import generate_orders
from attain.org.models import Assignment

LAST_YEAR = DEMO_YEAR - 1


def revenue(first: datetime.date, last: datetime.date) -> Decimal:
    total = Order.objects.filter(status="confirmed", date__range=(first, last)).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal(0)


def assert_splits_sum_to_one() -> None:
    shares: dict[int, Decimal] = defaultdict(Decimal)
    for order_id, share in OrderCredit.objects.values_list("order_id", "share"):
        assert share > 0
        shares[order_id] += share
    assert shares
    assert all(total == 1 for total in shares.values())


def assert_payments_within_orders() -> None:
    paid = (
        Payment.objects.filter(order__isnull=False).values("order_id").annotate(total=Sum("amount"))
    )
    amounts = dict(Order.objects.values_list("pk", "amount"))
    for row in paid:
        assert 0 < row["total"] <= amounts[row["order_id"]]


def test_demo_company_has_two_years_of_crm_history(db):
    load_demo(echo=None)
    assert 600 <= Customer.objects.count() <= 1000
    assert not Customer.objects.filter(merged_into__isnull=False).exists()
    coded = Customer.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    assert coded and all(dedupe.credit_code_is_valid(code) for code in coded)
    twins = Customer.objects.values("name_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert twins.exists()  # near-duplicates for the duplicate review

    orders = Order.objects.all()
    assert orders.filter(date__year=LAST_YEAR).exists()
    assert not orders.filter(date__gt=DEMO_TODAY).exists()
    # Seasonality: the year end is busier than the Chinese New Year quarter.
    q1 = revenue(datetime.date(LAST_YEAR, 1, 1), datetime.date(LAST_YEAR, 3, 31))
    q4 = revenue(datetime.date(LAST_YEAR, 10, 1), datetime.date(LAST_YEAR, 12, 31))
    assert q4 > q1 * Decimal("1.2")
    assert orders.filter(status="cancelled").count() > 20
    assert orders.filter(status="returned").count() > 10
    assert orders.filter(amount__lt=0).exists()  # credit notes
    split = OrderCredit.objects.values("order_id").distinct().count()
    assert 0.02 < split / orders.count() < 0.08
    assert_splits_sum_to_one()
    assert_payments_within_orders()
    unpaid = orders.filter(status="confirmed", amount__gt=0, payments__isnull=True)
    assert unpaid.exists()

    # Reps differ: the best win rate is well above the worst.
    won = defaultdict(lambda: [0, 0])
    for owner, kind in StageChange.objects.filter(to_stage__kind__in=["won", "lost"]).values_list(
        "opportunity__owner_id", "to_stage__kind"
    ):
        won[owner][kind == "won"] += 1
    rates = sorted(wins / (wins + losses) for losses, wins in won.values() if wins + losses >= 10)
    assert rates[-1] - rates[0] > 0.2

    after_sales = Assignment.objects.filter(title="after_sales").values("person")
    assert after_sales.count() >= 3
    handoffs = ServiceTicket.objects.filter(kind="handoff")
    assert handoffs.count() >= orders.filter(amount__gt=0).count()
    assert not handoffs.exclude(owner__in=after_sales).exists()
    assert ServiceTicket.objects.filter(kind="complaint").exists()
    assert (
        Survey.objects.filter(score__lt=1).count()
        == Survey.objects.filter(score__gt=5).count()
        == 0
    )
    assert Survey.objects.count() > 500
    assert TrainingScore.objects.filter(score__gt=100).count() == 0
    assert PeerRating.objects.exists()
    assert AuditEvent.objects.filter(reason__startswith="Demo CRM history").count() == 1

    counts = [m.objects.count() for m in (Customer, Order, Payment, ServiceTicket, AuditEvent)]
    load_demo(echo=None)
    assert counts == [
        m.objects.count() for m in (Customer, Order, Payment, ServiceTicket, AuditEvent)
    ]


def _digest() -> list[tuple]:
    return list(
        Order.objects.order_by("external_id").values_list(
            "external_id", "date", "amount", "owner__code", "customer__name", "status"
        )
    ) + list(Payment.objects.order_by("external_id").values_list("external_id", "date", "amount"))


def test_same_seed_same_history(db):
    generate(people=40, seed=3, echo=None)
    digests = []
    for seed in (5, 5, 6):
        with transaction.atomic():
            load_crm_demo(seed=seed, echo=None)
            digests.append(_digest())
            transaction.set_rollback(True)
    assert digests[0] and digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_bulk_orders_for_benchmarks(transactional_db):
    # generate_orders writes over its own ADBC connection on PostgreSQL: the people must
    # be committed.
    generate(people=40, seed=3, echo=None)
    generate_orders(3000, seed=1, echo=None)
    assert Order.objects.count() == 3000
    assert_splits_sum_to_one()
    assert_payments_within_orders()
    frame = tables.load_tables(
        ["orders"], start=datetime.date(2000, 1, 1), end=datetime.date(2100, 1, 1)
    )["orders"]
    assert frame.height == 3000
    assert (
        frame["credit"].is_not_null().sum()
        == OrderCredit.objects.values("order").distinct().count()
    )


def test_generate_command_with_orders(transactional_db, capsys):
    call_command("demo", "generate", "--people", "30", "--orders", "500")
    assert Order.objects.count() == 500
    assert "Generated 500 orders" in capsys.readouterr().out
