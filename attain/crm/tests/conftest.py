"""CRM data on top of the shared small company (see attain/conftest.py).

customers   owner  other records                         seen by
c_r1        r1     order o_r1, payment p_r1              everyone but r1's peers
c_r2        r2                                           org-wide, m1
c_r3        r3                                           org-wide, m1 (r3 is under m2)
c_r4        r4     order o_r4, payment p_r4              org-wide
c_shared    r4     a visit by r1                         org-wide, m1, r1
c_credit    —      order o_split by r4, half to r2       org-wide, m1
c_none      —      nothing                               org-wide
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from attain.crm import services
from attain.crm.models import Customer, Order, Payment
from attain.crm.tests import make

D = datetime.date


@dataclass
class Crm:
    customers: dict[str, Customer]
    orders: dict[str, Order]
    payments: dict[str, Payment]


@pytest.fixture
def crm(company) -> Crm:
    p = company.people
    customers = {
        "c_r1": services.create_customer(None, name="甲一科技", owner=p["r1"]),
        "c_r2": services.create_customer(None, name="乙二贸易", owner=p["r2"]),
        "c_r3": services.create_customer(None, name="丙三制造", owner=p["r3"]),
        "c_r4": services.create_customer(None, name="丁四物流", owner=p["r4"]),
        "c_shared": services.create_customer(None, name="戊五医药", owner=p["r4"]),
        "c_credit": services.create_customer(None, name="己六能源"),
        "c_none": services.create_customer(None, name="庚七传媒"),
    }
    make.activity(customers["c_shared"], p["r1"], summary="拜访")
    orders = {
        "o_r1": make.order(customers["c_r1"], p["r1"], D(2026, 3, 1), Decimal(100)),
        "o_r4": make.order(customers["c_r4"], p["r4"], D(2026, 3, 2), Decimal(200)),
        "o_split": make.order(
            customers["c_credit"],
            p["r4"],
            D(2026, 3, 3),
            Decimal(300),
            credits=make.shares(p["r4"], "0.5", p["r2"], "0.5"),
        ),
    }
    payments = {
        "p_r1": make.payment(
            customers["c_r1"], p["r1"], D(2026, 4, 1), Decimal(60), order=orders["o_r1"]
        ),
        "p_r4": make.payment(customers["c_r4"], p["r4"], D(2026, 4, 2), Decimal(70)),
    }
    return Crm(customers=customers, orders=orders, payments=payments)
