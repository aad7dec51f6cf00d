"""Two years of CRM history for the demo company (fiscal years DEMO_YEAR - 1 and
DEMO_YEAR, up to :data:`DEMO_TODAY`, fixed so the data never depends on the real date).

What it holds: an industrial-automation catalogue, about 800 customers with Chinese
company names, valid unified social credit codes, phones and e-mails (and a few
deliberate near-duplicates for the duplicate review), contacts, opportunities moving
through the funnel with their stage history, visits (with a location), calls, meetings
and notes, orders with lines (Q4 busier, a dip around Chinese New Year in January and
February), reps who differ in win rate and deal size, about 5% of orders split between
two reps, cancellations, returns and credit notes (negative orders), payments (回款)
30–90 days after their order (some partial, some outstanding), after-sales hand-off
tickets and complaints, satisfaction surveys, training scores and peer ratings.

Everything is planned from ``random.Random(seed)`` and the organisation in the
database (people by employee code), so the same seed gives the same rows. The rows are
written with ``bulk_create`` and follow the services' rules (credit shares sum to 1,
payments never exceed their order, scores in range, no merged customers), but they are
demo records: one audit event summarises the load instead of one per row. The
after-sales team (客户成功部), when the organisation has none, is hired through the
organisation services, audited as usual.
"""

from __future__ import annotations

import datetime
import math
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.audit.models import Action
from attain.audit.services import record_change
from attain.crm import dedupe
from attain.crm.models import (
    Activity,
    Contact,
    Customer,
    CustomerSource,
    Opportunity,
    Order,
    OrderCredit,
    OrderLine,
    OrderStatus,
    Payment,
    PeerRating,
    Product,
    ServiceTicket,
    Stage,
    StageChange,
    StageKind,
    Survey,
    TicketKind,
    TicketStatus,
    TrainingScore,
)
from attain.org import services as org_services
from attain.org.company import company
from attain.org.models import Assignment, Person, Unit

from .catalogue import ensure_catalogue
from .generator import DEMO_YEAR, _Names

DEMO_TODAY = datetime.date(DEMO_YEAR, 11, 20)  # the demo's "today": history ends here
HISTORY_START = datetime.date(DEMO_YEAR - 1, 1, 1)
MARKER_CUSTOMER = "DC00001"  # the CRM history is present when this customer exists
AFTER_SALES = "after_sales"
AFTER_SALES_UNIT = "cs"
# Orders by month: quiet around Chinese New Year, busy at the year end.
SEASON = (0.55, 0.6, 1.0, 1.0, 1.05, 1.1, 0.95, 0.95, 1.05, 1.1, 1.3, 1.6)
FUNNEL = ("lead", "qualify", "solution", "quote", "negotiate")
DEFAULT_STAGES = (
    ("lead", "线索", 1, "0.10", StageKind.OPEN, ""),
    ("qualify", "需求确认", 2, "0.20", StageKind.OPEN, ""),
    ("solution", "方案", 3, "0.40", StageKind.OPEN, ""),
    ("quote", "报价", 4, "0.60", StageKind.OPEN, "visit"),
    ("negotiate", "谈判", 5, "0.80", StageKind.OPEN, ""),
    ("won", "赢单", 6, "1.00", StageKind.WON, ""),
    ("lost", "输单", 7, "0.00", StageKind.LOST, ""),
)
CITY_INFO = {  # city: (region code for the credit code, phone area code, lat, lon)
    "上海": ("310000", "021", 31.23, 121.47), "杭州": ("330100", "0571", 30.27, 120.15),
    "南京": ("320100", "025", 32.06, 118.80), "苏州": ("320500", "0512", 31.30, 120.59),
    "宁波": ("330200", "0574", 29.87, 121.55), "合肥": ("340100", "0551", 31.82, 117.23),
    "无锡": ("320200", "0510", 31.49, 120.31), "深圳": ("440300", "0755", 22.54, 114.06),
    "广州": ("440100", "020", 23.13, 113.26), "东莞": ("441900", "0769", 23.02, 113.75),
    "佛山": ("440600", "0757", 23.02, 113.12), "厦门": ("350200", "0592", 24.48, 118.09),
    "福州": ("350100", "0591", 26.07, 119.30), "南宁": ("450100", "0771", 22.82, 108.37),
    "北京": ("110000", "010", 39.90, 116.41), "天津": ("120000", "022", 39.08, 117.20),
    "济南": ("370100", "0531", 36.65, 117.12), "青岛": ("370200", "0532", 36.07, 120.38),
    "石家庄": ("130100", "0311", 38.04, 114.51), "太原": ("140100", "0351", 37.87, 112.55),
    "武汉": ("420100", "027", 30.59, 114.31), "长沙": ("430100", "0731", 28.23, 112.94),
    "郑州": ("410100", "0371", 34.75, 113.63), "成都": ("510100", "028", 30.57, 104.07),
    "重庆": ("500000", "023", 29.56, 106.55), "西安": ("610100", "029", 34.34, 108.94),
    "沈阳": ("210100", "024", 41.81, 123.43), "大连": ("210200", "0411", 38.91, 121.61),
}  # fmt: skip
WORDS = (
    "华信", "恒通", "东方", "中科", "宏达", "金源", "博远", "瑞丰", "天成", "新时代", "鑫达",
    "永盛", "嘉诚", "联创", "海川", "明泰", "众诚", "晨光", "长江", "德润", "正大", "安泰",
    "华强", "远景", "信达", "隆鑫", "鼎盛", "泰和", "凯利", "昊天", "顺捷", "蓝海",
)  # fmt: skip
TRADES = (
    ("精密机械", "装备制造"), ("化工", "化工"), ("汽车零部件", "汽车"), ("电子", "电子制造"),
    ("食品", "食品饮料"), ("制药", "医药"), ("新能源", "新能源"), ("水务", "公用事业"),
    ("钢铁", "冶金"), ("包装", "轻工"), ("物流", "物流"), ("环保科技", "环保"),
)  # fmt: skip
SUFFIXES = ("有限公司", "有限公司", "股份有限公司", "科技有限公司")
TITLES = ("采购经理", "设备部主任", "总工程师", "生产总监", "技术负责人", "总经理")
COURSES = ("产品知识认证", "顾问式销售", "合同与回款", "安全生产规范")
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CENT = Decimal("0.01")

Echo = Callable[[str], None]


@dataclass(frozen=True)
class CrmResult:
    created: bool
    counts: dict[str, int]
    seconds: float = 0.0


@dataclass
class _Seller:
    person: Person
    start: datetime.date
    end: datetime.date
    city: str
    team: int
    win_rate: float
    deal_size: float
    care: float  # how customers rate them
    customers: list[Customer]


def crm_present() -> bool:
    return Customer.objects.filter(external_id=MARKER_CUSTOMER).exists()


def load_crm_demo(*, seed: int, echo: Echo | None = print) -> CrmResult:
    """Add the CRM history to the demo company unless it is there already."""
    if crm_present():
        return CrmResult(created=False, counts={})
    began = time.perf_counter()
    with transaction.atomic():
        stages = _ensure_stages()
        after_sales = _ensure_after_sales(seed)
        lines = ensure_catalogue()
        plan = _Plan(seed, stages, after_sales, lines)
        counts = plan.write()
        anchor = Customer.objects.get(external_id=MARKER_CUSTOMER)
        record_change(
            None,
            Action.CREATE,
            anchor,
            after={"demo_crm": counts, "seed": seed, "until": DEMO_TODAY.isoformat()},
            reason="Demo CRM history loaded in bulk (one event for all demo records).",
        )
    seconds = time.perf_counter() - began
    if echo is not None:
        # each table by its model's name in the reader's language (客户, 订单, …)
        summary = pgettext("list separator", ", ").join(
            _("%(count)s %(table)s")
            % {
                "count": number_format(count, force_grouping=True),
                "table": _WRITTEN[name]._meta.verbose_name_plural,
            }
            for name, count in counts.items()
        )
        echo(
            _("Created the CRM history (%(summary)s) in %(seconds).1f s.")
            % {"summary": summary, "seconds": seconds}
        )
    return CrmResult(created=True, counts=counts, seconds=seconds)


# The demo's CRM tables, in the order they are written (their names key the counts).
_WRITTEN: dict[str, type[Model]] = {
    "customers": Customer,
    "contacts": Contact,
    "opportunities": Opportunity,
    "stage_changes": StageChange,
    "activities": Activity,
    "orders": Order,
    "order_lines": OrderLine,
    "order_credits": OrderCredit,
    "payments": Payment,
    "tickets": ServiceTicket,
    "surveys": Survey,
    "training": TrainingScore,
    "peer_ratings": PeerRating,
}


def _ensure_stages() -> dict[str, Stage]:
    if not Stage.objects.exists():
        Stage.objects.bulk_create(
            Stage(
                code=code,
                name=name,
                position=position,
                probability=Decimal(probability),
                kind=kind,
                required_activity=required,
            )
            for code, name, position, probability, kind, required in DEFAULT_STAGES
        )
    stages = {stage.code: stage for stage in Stage.objects.all()}
    missing = [code for code in (*FUNNEL, "won", "lost") if code not in stages]
    if missing:
        raise ValueError(f"The funnel lacks the demo's stages: {', '.join(missing)}.")
    return stages


def _ensure_after_sales(seed: int) -> list[Person]:
    """The after-sales people; hires a 客户成功部 of five when the company has none."""
    titled = Assignment.objects.filter(title=AFTER_SALES).values("person")
    existing = list(Person.objects.filter(pk__in=titled).order_by("code"))
    if existing:
        return existing
    rng = random.Random(seed + 7)
    names = _Names(rng)
    names.names = set(Person.objects.values_list("name", flat=True))
    names.emails = set(Person.objects.values_list("email", flat=True))
    hq = Unit.objects.get(code="hq")
    unit = org_services.create_unit(
        None, code=AFTER_SALES_UNIT, name="客户成功部", parent=hq, opened=datetime.date(2022, 1, 1)
    )
    vp = Assignment.objects.filter(unit=hq, manager__isnull=True).order_by("valid_from").first()
    number = Person.objects.count()
    lead_name, lead_email = names.draw()
    number += 1
    lead = org_services.create_person(
        None,
        code=f"E{number:04d}",
        name=lead_name,
        email=lead_email,
        unit=unit,
        title="after_sales_manager",
        start=datetime.date(2022, 3, 1),
        manager=vp.person if vp is not None else None,
    )
    people = []
    for index in range(4):
        name, email = names.draw()
        number += 1
        people.append(
            org_services.create_person(
                None,
                code=f"E{number:04d}",
                name=name,
                email=email,
                unit=unit,
                title=AFTER_SALES,
                start=datetime.date(2022 + index // 2, 4 + index, 1),
                manager=lead,
            )
        )
    return people


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    zone = company().zone
    moment = datetime.time(rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    return datetime.datetime.combine(day, moment, tzinfo=zone)


def _weekday_after(day: datetime.date, days: int) -> datetime.date:
    day = day + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


class _Plan:
    def __init__(
        self, seed: int, stages: dict[str, Stage], after_sales: list[Person], lines: dict[str, Any]
    ) -> None:
        self.rng = random.Random(seed)
        self.stages = stages
        self.after_sales = after_sales
        self.products: dict[str, list[Product]] = defaultdict(list)
        for product in Product.objects.select_related("line").order_by("code"):
            if product.line.code in lines:
                self.products[product.line.code].append(product)
        self.line_codes = sorted(self.products)
        self.lines = lines
        self.rows: dict[str, list[Any]] = defaultdict(list)
        self.numbers: dict[str, int] = defaultdict(int)
        self.customer_names: set[str] = set()
        self.contact_names = _Names(random.Random(seed + 1))

    def next_id(self, prefix: str) -> str:
        self.numbers[prefix] += 1
        return f"{prefix}{self.numbers[prefix]:05d}"

    # -- who sells ---------------------------------------------------------------------
    def sellers(self) -> list[_Seller]:
        rows = (
            Assignment.objects.filter(title="rep")
            .select_related("person", "unit")
            .order_by("person__code", "valid_from")
        )
        first: dict[int, Assignment] = {}
        for row in rows:
            first.setdefault(row.person_id, row)
        sellers = []
        teams: dict[int, int] = {}
        for row in first.values():
            person = row.person
            start = max(person.start, HISTORY_START)
            end = min(person.end or DEMO_TODAY, DEMO_TODAY)
            if end <= start:
                continue
            city = re.sub(r"[一二三四五六七八九十百零]+组$", "", row.unit.name)
            if city not in CITY_INFO:
                city = self.rng.choice(sorted(CITY_INFO))
            skill = self.rng.gauss(0, 1)
            sellers.append(
                _Seller(
                    person=person,
                    start=start,
                    end=end,
                    city=city,
                    team=teams.setdefault(row.unit_id, len(teams)),
                    win_rate=min(0.55, max(0.12, 0.3 + 0.09 * skill)),
                    deal_size=math.exp(0.25 * skill + self.rng.gauss(0, 0.15)),
                    care=min(1.0, max(-1.0, 0.5 * skill + self.rng.gauss(0, 0.4))),
                    customers=[],
                )
            )
        return sellers

    # -- customers ---------------------------------------------------------------------
    def company_name(self, city: str) -> tuple[str, str]:
        while True:
            trade, industry = self.rng.choice(TRADES)
            name = f"{city}{self.rng.choice(WORDS)}{trade}{self.rng.choice(SUFFIXES)}"
            if name not in self.customer_names:
                self.customer_names.add(name)
                return name, industry

    def customer(self, seller: _Seller, created: datetime.date) -> Customer:
        region, area, _lat, _lon = CITY_INFO[seller.city]
        name, industry = self.company_name(seller.city)
        body = "".join(self.rng.choice(CREDIT_ALPHABET) for _n in range(9))
        number = self.next_id("DC")
        customer = Customer(
            external_id=number,
            name=name,
            credit_code=dedupe.with_check_digit(f"91{region}{body}"),
            phone=f"{area}-{self.rng.randint(5000_0000, 8999_9999)}",
            email=f"purchase@{number.lower()}.example.cn",
            industry=industry,
            city=seller.city,
            source=self.rng.choices([s.value for s in CustomerSource], weights=(50, 25, 12, 10, 3))[
                0
            ],
            owner=seller.person,
            created_on=created,
        )
        self.keys(customer)
        self.rows["customers"].append(customer)
        for _n in range(self.rng.randint(1, 3)):
            person_name, email = self.contact_names.draw()
            self.rows["contacts"].append(
                Contact(
                    external_id=self.next_id("DK"),
                    customer=customer,
                    name=person_name,
                    title=self.rng.choice(TITLES),
                    phone=f"1{self.rng.choice('3589')}{self.rng.randint(0, 999_999_999):09d}",
                    email=email.split("@")[0] + f"@{number.lower()}.example.cn",
                )
            )
        seller.customers.append(customer)
        return customer

    @staticmethod
    def keys(customer: Customer) -> None:
        customer.name_key = dedupe.name_key(customer.name)
        customer.phone_key = dedupe.phone_key(customer.phone)
        customer.email_key = dedupe.email_key(customer.email)

    def near_duplicates(self, sellers: list[_Seller], count: int) -> None:
        """The same company entered again by someone else: a variant name or the same
        phone, without a credit code (so only the duplicate review catches it)."""
        originals = self.rng.sample(self.rows["customers"], k=count)
        for index, original in enumerate(originals):
            seller = self.rng.choice(sellers)
            base = original.name.removesuffix("股份有限公司").removesuffix("有限公司")
            name = f"{base}（{original.city}）有限公司" if index % 2 else f"{base}公司"
            twin = Customer(
                external_id=self.next_id("DC"),
                name=name,
                phone=original.phone if index % 3 == 0 else "",
                industry=original.industry,
                city=original.city,
                owner=seller.person,
                created_on=max(original.created_on, seller.start),
                source=CustomerSource.SALES,
            )
            self.keys(twin)
            self.rows["customers"].append(twin)

    # -- the funnel and orders -----------------------------------------------------------
    def days(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    def activity(
        self,
        seller: _Seller,
        customer: Customer,
        day: datetime.date,
        kind: str,
        opportunity: Opportunity | None = None,
    ) -> None:
        _region, _area, lat, lon = CITY_INFO[customer.city or seller.city]
        visit = kind == "visit"
        self.rows["activities"].append(
            Activity(
                external_id=self.next_id("DA"),
                kind=kind,
                customer=customer,
                opportunity=opportunity,
                owner=seller.person,
                occurred_at=_aware(day, self.rng),
                summary={
                    "visit": "上门拜访，了解设备现状",
                    "call": "电话跟进需求",
                    "meeting": "方案交流会",
                    "note": "整理客户需求记录",
                }[kind],
                duration_minutes=self.rng.choice((15, 30, 45, 60, 90, 120)),
                latitude=Decimal(f"{lat + self.rng.uniform(-0.15, 0.15):.6f}") if visit else None,
                longitude=Decimal(f"{lon + self.rng.uniform(-0.15, 0.15):.6f}") if visit else None,
                place="客户现场" if visit else "",
            )
        )

    def opportunity(self, seller: _Seller, created: datetime.date) -> None:
        rng = self.rng
        customer = rng.choice(seller.customers)
        line = rng.choice(self.line_codes)
        products = self.products[line]
        amount = _money(
            float(min(p.list_price or 0 for p in products))
            * rng.uniform(2, 12)
            * seller.deal_size
            * (2.5 if line in ("software", "control") else 1)
        )
        opportunity = Opportunity(
            external_id=self.next_id("DO"),
            customer=customer,
            name=f"{customer.name[: len(customer.city) + 4]} · {self.lines[line].name}",
            owner=seller.person,
            stage=self.stages["lead"],
            amount=amount,
            product_line=self.lines[line],
            source=customer.source,
            created_on=created,
            expected_close=created + datetime.timedelta(days=rng.randint(45, 120)),
        )
        self.rows["opportunities"].append(opportunity)
        changes: list[tuple[str | None, str, datetime.date]] = [(None, "lead", created)]
        day, stage = created, "lead"
        lost_chance = 1 - seller.win_rate ** (1 / 5)  # five steps to a win
        outcome = None
        for step in (*FUNNEL[1:], "won"):
            day = _weekday_after(day, rng.randint(6, 24))
            if day > min(seller.end, DEMO_TODAY):
                break
            if rng.random() < lost_chance:
                outcome = "lost"
                changes.append((stage, "lost", day))
                stage = "lost"
                break
            if step == "quote":
                self.activity(seller, customer, _weekday_after(day, -3), "visit", opportunity)
            else:
                self.activity(seller, customer, day, rng.choice(("call", "meeting")), opportunity)
            changes.append((stage, step, day))
            stage = step
            if step == "won":
                outcome = "won"
        opportunity.stage = self.stages[stage]
        if outcome is not None:
            opportunity.closed_on = day
            opportunity.close_reason = "客户确认采购" if outcome == "won" else "价格或方案未中标"
        for from_code, to_code, on in changes:
            self.rows["stage_changes"].append(
                StageChange(
                    opportunity=opportunity,
                    from_stage=self.stages[from_code] if from_code else None,
                    to_stage=self.stages[to_code],
                    changed_at=_aware(on, rng),
                    note=opportunity.close_reason if to_code in ("won", "lost") else "",
                )
            )
        if outcome == "won":
            self.order(seller, customer, day, line, target=amount, opportunity=opportunity)

    def order(
        self,
        seller: _Seller,
        customer: Customer,
        day: datetime.date,
        line: str,
        *,
        target: Decimal,
        opportunity: Opportunity | None = None,
        sellers_in_team: list[_Seller] | None = None,
    ) -> None:
        rng = self.rng
        order = Order(
            external_id=self.next_id("DS"),
            customer=customer,
            owner=seller.person,
            opportunity=opportunity,
            date=day,
            product_line=self.lines[line],
        )
        remaining, lines = target, list[OrderLine]()
        for product in rng.sample(self.products[line], k=min(len(self.products[line]), 2)):
            price = (
                (product.list_price or Decimal(1000)) * Decimal(str(rng.uniform(0.85, 1.0)))
            ).quantize(CENT)
            quantity = Decimal(max(1, int(remaining / price)))
            if lines and remaining <= 0:
                break
            amount = (quantity * price).quantize(CENT)
            remaining -= amount
            lines.append(
                OrderLine(
                    order=order, product=product, quantity=quantity, unit_price=price, amount=amount
                )
            )
        order.amount = sum((line_row.amount for line_row in lines), Decimal(0))
        self.rows["orders"].append(order)
        self.rows["order_lines"].extend(lines)
        team = [s for s in self.team_of[seller.team] if s is not seller and s.start <= day <= s.end]
        if team and rng.random() < 0.05:
            partner = rng.choice(team)
            share = rng.choice((Decimal("0.5"), Decimal("0.6"), Decimal("0.7")))
            self.rows["order_credits"].append(
                OrderCredit(order=order, person=seller.person, share=share)
            )
            self.rows["order_credits"].append(
                OrderCredit(order=order, person=partner.person, share=Decimal(1) - share)
            )
        fate = rng.random()
        if fate < 0.03:
            order.status = OrderStatus.CANCELLED
            order.status_changed_on = min(DEMO_TODAY, _weekday_after(day, rng.randint(2, 20)))
        elif fate < 0.05:
            order.status = OrderStatus.RETURNED
            order.status_changed_on = min(DEMO_TODAY, _weekday_after(day, rng.randint(10, 45)))
        self.after_sale(seller, order)
        if order.status != OrderStatus.CONFIRMED:
            return
        self.payments(seller, order)
        if rng.random() < 0.03:  # a partial return: a credit note (a negative order)
            on = _weekday_after(day, rng.randint(15, 60))
            if on <= DEMO_TODAY:
                self.rows["orders"].append(
                    Order(
                        external_id=self.next_id("DS"),
                        customer=customer,
                        owner=seller.person,
                        date=on,
                        amount=-(order.amount * Decimal(str(rng.uniform(0.1, 0.4)))).quantize(CENT),
                        product_line=order.product_line,
                    )
                )

    def payments(self, seller: _Seller, order: Order) -> None:
        rng = self.rng
        fate = rng.random()
        if fate < 0.07:
            return  # outstanding
        parts = (
            [order.amount]
            if fate > 0.15
            else [
                (order.amount * Decimal("0.5")).quantize(CENT),
                order.amount - (order.amount * Decimal("0.5")).quantize(CENT),
            ]
        )
        day = order.date
        for index, part in enumerate(parts):
            day = _weekday_after(day, rng.randint(30, 90) if index == 0 else rng.randint(20, 60))
            if day > DEMO_TODAY or (index and rng.random() < 0.3):
                return
            collector = seller if day <= seller.end else self.successor(seller, day)
            if collector is None:
                return
            self.rows["payments"].append(
                Payment(
                    external_id=self.next_id("DP"),
                    customer=order.customer,
                    order=order,
                    collector=collector.person,
                    date=day,
                    amount=part,
                )
            )

    def successor(self, seller: _Seller, day: datetime.date) -> _Seller | None:
        team = [s for s in self.team_of[seller.team] if s.start <= day <= s.end]
        return team[0] if team else None

    def after_sale(self, seller: _Seller, order: Order) -> None:
        rng = self.rng
        handler = rng.choice(self.after_sales)
        resolved = _weekday_after(order.date, rng.randint(3, 25))
        done = resolved <= DEMO_TODAY
        ticket = ServiceTicket(
            external_id=self.next_id("DT"),
            customer=order.customer,
            order=order,
            owner=handler,
            kind=TicketKind.HANDOFF,
            status=TicketStatus.CLOSED if done else TicketStatus.IN_PROGRESS,
            opened_on=order.date,
            resolved_on=resolved if done else None,
            summary=f"订单 {order.external_id} 交付与培训",
        )
        self.rows["tickets"].append(ticket)
        complaint = None
        if rng.random() < 0.05 + 0.04 * max(0.0, -seller.care):
            opened = _weekday_after(order.date, rng.randint(10, 60))
            if opened <= DEMO_TODAY:
                fixed = _weekday_after(opened, rng.randint(2, 15))
                complaint = ServiceTicket(
                    external_id=self.next_id("DT"),
                    customer=order.customer,
                    order=order,
                    owner=handler,
                    kind=TicketKind.COMPLAINT,
                    status=TicketStatus.RESOLVED if fixed <= DEMO_TODAY else TicketStatus.OPEN,
                    opened_on=opened,
                    resolved_on=fixed if fixed <= DEMO_TODAY else None,
                    summary="客户投诉：交付延迟或质量问题",
                )
                self.rows["tickets"].append(complaint)
        if done and rng.random() < 0.35:
            on = _weekday_after(resolved, rng.randint(1, 10))
            if on <= DEMO_TODAY and on <= seller.end:
                mood = seller.care - (1.2 if complaint is not None else 0)
                self.survey(order.customer, seller.person, on, mood, ticket)
                if rng.random() < 0.5:
                    self.survey(order.customer, handler, on, rng.gauss(0.3, 0.5), ticket)

    def survey(
        self,
        customer: Customer,
        person: Person,
        on: datetime.date,
        mood: float,
        ticket: ServiceTicket,
    ) -> None:
        score = min(5.0, max(1.0, round((4.1 + 0.6 * mood + self.rng.gauss(0, 0.5)) * 2) / 2))
        self.rows["surveys"].append(
            Survey(
                external_id=self.next_id("DV"),
                customer=customer,
                person=person,
                ticket=ticket,
                date=on,
                score=Decimal(str(score)),
            )
        )

    # -- people development ---------------------------------------------------------------
    def development(self, sellers: list[_Seller]) -> None:
        rng = self.rng
        sessions = [
            datetime.date(year, month, 15)
            for year in (DEMO_YEAR - 1, DEMO_YEAR)
            for month in (3, 9)
        ]
        for seller in sellers:
            for index, day in enumerate(sessions):
                if seller.start <= day <= seller.end:
                    score = min(100.0, max(40.0, rng.gauss(80 + 8 * seller.care, 7)))
                    self.rows["training"].append(
                        TrainingScore(
                            external_id=self.next_id("DL"),
                            person=seller.person,
                            course=COURSES[index % len(COURSES)],
                            date=_weekday_after(day, 0),
                            score=Decimal(f"{score:.1f}"),
                        )
                    )
        quarter_ends = [
            datetime.date(year, month, 25)
            for year in (DEMO_YEAR - 1, DEMO_YEAR)
            for month in (3, 6, 9, 12)
            if datetime.date(year, month, 25) <= DEMO_TODAY
        ]
        for day in quarter_ends:
            for seller in sellers:
                if not seller.start <= day <= seller.end:
                    continue
                mates = [
                    s
                    for s in self.team_of[seller.team]
                    if s is not seller and s.start <= day <= s.end
                ]
                for rater in rng.sample(mates, k=min(2, len(mates))):
                    score = min(
                        5.0, max(1.0, round((4.0 + 0.5 * seller.care + rng.gauss(0, 0.4)) * 2) / 2)
                    )
                    self.rows["peer_ratings"].append(
                        PeerRating(
                            external_id=self.next_id("DR"),
                            rater=rater.person,
                            person=seller.person,
                            date=_weekday_after(day, 0),
                            score=Decimal(str(score)),
                        )
                    )

    # -- the whole history -------------------------------------------------------------------
    def plan(self) -> None:
        rng = self.rng
        sellers = self.sellers()
        self.team_of: dict[int, list[_Seller]] = defaultdict(list)
        for seller in sellers:
            self.team_of[seller.team].append(seller)
        for seller in sellers:
            for _n in range(rng.randint(3, 4)):  # accounts from before the history
                self.customer(
                    seller, _weekday_after(datetime.date(2023, 1, 2), rng.randint(0, 700))
                )
        for seller in sellers:
            # The pipeline is warm on day one: deals opened in the last months before it.
            warm_up = max(seller.person.start, HISTORY_START - datetime.timedelta(days=90))
            for day in self.days(warm_up, HISTORY_START - datetime.timedelta(days=1)):
                if day.weekday() < 5 and rng.random() < 0.08 * SEASON[day.month - 1]:
                    self.opportunity(seller, day)
            for day in self.days(seller.start, seller.end):
                if day.weekday() >= 5:
                    continue
                season = SEASON[day.month - 1]
                tenure = min(1.0, 0.4 + (day - seller.person.start).days / 300)
                if rng.random() < 0.006 * tenure:
                    self.customer(seller, day)
                if rng.random() < 0.08 * season * tenure:
                    self.opportunity(seller, day)
                if rng.random() < 0.06 * season * tenure:  # repeat business: parts, service
                    customer = rng.choice(seller.customers)
                    line = rng.choice(("service", "sensors", "drives"))
                    target = _money(rng.uniform(3000, 40000) * seller.deal_size)
                    self.order(seller, customer, day, line, target=target)
                if rng.random() < 0.22:
                    kind = rng.choices(("visit", "call", "meeting", "note"), weights=(3, 5, 1, 2))[
                        0
                    ]
                    self.activity(seller, rng.choice(seller.customers), day, kind)
        self.near_duplicates(sellers, 8)
        self.development(sellers)

    def write(self) -> dict[str, int]:
        self.plan()
        counts = {}
        for name, model in _WRITTEN.items():
            rows = self.rows[name]
            model._default_manager.bulk_create(rows, batch_size=2000)
            counts[name] = len(rows)
        return counts
