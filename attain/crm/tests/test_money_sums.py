"""Sums of money read from the database are exact to the cent on SQLite too.

SQLite keeps a DecimalField with NUMERIC affinity (a REAL), and SUM() of REALs is
binary floating point: 0.10 + 0.20 came back as 0.300000000000000 (Django keeps 15
digits of the float), a large total as 6983140.88000001."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F

from attain.conftest import client_for
from attain.crm.models import Order, Payment, Stage
from attain.crm.tests import make
from attain.web.aggregates import ExactSum

D = datetime.date

AMOUNTS = ["0.10", "0.20", "1234567.89", "5748572.99", "0.07", "0.01", "99999999.99"]


def test_customer_totals_are_exact_to_the_cent(company, crm):
    customer = crm.customers["c_none"]
    r1 = company.people["r1"]
    for n, amount in enumerate(["0.10", "0.20", "0.10", "0.20", "0.10", "0.20"]):
        make.order(customer, r1, D(2026, 3, 1 + n), Decimal(amount))
        make.payment(customer, r1, D(2026, 3, 1 + n), Decimal(amount))
    response = client_for(company, "admin").get(f"/crm/customers/{customer.external_id}/")
    assert str(response.context["order_total"]) == "0.90"
    assert str(response.context["paid_total"]) == "0.90"


def test_exact_sum_of_money_of_many_sizes(company, crm):
    customer = crm.customers["c_none"]
    r1 = company.people["r1"]
    for n, amount in enumerate(AMOUNTS * 3):
        make.payment(customer, r1, D(2026, 1, 1 + n), Decimal(amount))
    found = Payment.objects.filter(customer=customer).aggregate(total=ExactSum("amount"))
    assert str(found["total"]) == str(sum(map(Decimal, AMOUNTS * 3)))
    grouped = dict(
        Payment.objects.filter(customer=customer)
        .values_list("collector")
        .annotate(total=ExactSum("amount"))
        .values_list("collector", "total")
    )
    assert str(grouped[r1.pk]) == "320949423.75"
    empty = Payment.objects.none().aggregate(total=ExactSum("amount"))
    assert empty["total"] is None


def test_exact_sum_of_negative_amounts_and_products(company, crm):
    customer = crm.customers["c_none"]
    r1 = company.people["r1"]
    for n, amount in enumerate(["0.10", "0.20", "0.30"]):
        make.order(customer, r1, D(2026, 3, 1 + n), Decimal(amount))
    Order.objects.filter(customer=customer, amount=Decimal("0.30")).update(
        amount=Decimal("-0.30")  # a refund written as a negative order
    )
    found = Order.objects.filter(customer=customer).aggregate(total=ExactSum("amount"))
    assert str(found["total"]) == "0.00"
    make.opportunity(customer, r1, "a", Decimal("0.10"))
    make.opportunity(customer, r1, "b", Decimal("0.20"))
    weighted = customer.opportunities.aggregate(
        w=ExactSum(F("amount") * F("stage__probability"), places=5)
    )
    assert str(weighted["w"]) == "0.03000"


def test_funnel_amounts_exact_and_weighted_rounded_half_up(company, crm):
    customer = crm.customers["c_r1"]
    r1 = company.people["r1"]
    make.opportunity(customer, r1, "a", Decimal("0.10"))
    make.opportunity(customer, r1, "b", Decimal("0.20"))
    make.opportunity(customer, r1, "c", Decimal("0.95"))
    lead = Stage.objects.get(code="lead")
    assert lead.probability == Decimal("0.1")
    response = client_for(company, "manager").get("/crm/opportunities/")
    rows = {r["stage"].code: r for r in response.context["funnel"]}
    assert str(rows["lead"]["amount"]) == "1.25"
    # 1.25 × 0.1 = 0.125: half-up (四舍五入) is 0.13, not the banker's 0.12
    assert rows["lead"]["weighted"] == Decimal("0.13")


def test_an_order_lines_amount_is_rounded_half_up(company, crm):
    """quantity × unit price to the cent, half-up (四舍五入) as everywhere money is
    rounded: 0.5 × 0.25 = 0.125 is 0.13 (the banker's rounding gave 0.12), and so on
    the import's lines (attain.intake.tables)."""
    from attain.crm import services

    line = services.create_product_line(None, code="pumps", name="水泵")
    pump = services.create_product(None, code="P-1", name="离心泵", line=line)
    order = make.order(
        crm.customers["c_r1"],
        company.people["r1"],
        D(2026, 3, 1),
        lines=[(pump, Decimal("0.5"), Decimal("0.25")), (pump, Decimal("1.5"), Decimal("0.05"))],
    )
    assert sorted(str(x.amount) for x in order.lines.all()) == ["0.08", "0.13"]
    assert str(order.amount) == "0.21"


def test_an_opportunitys_weighted_amount_is_rounded_half_up(company, crm):
    """As in the funnel: 1.25 × 0.1 = 0.125 is 0.13 on the opportunity's page too."""
    opportunity = make.opportunity(
        crm.customers["c_r1"], company.people["r1"], "a", Decimal("1.25")
    )
    response = client_for(company, "manager").get(f"/crm/opportunities/{opportunity.external_id}/")
    assert response.context["weighted"] == Decimal("0.13")
