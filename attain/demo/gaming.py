"""Labelled gaming cases injected into the demo's honest history, for evaluating the
integrity detectors (``attain demo generate --inject-gaming``; ``attain demo load``
ships one case of each kind so the integrity pages have something to show).

The honest history already holds the noise the detectors must not flag: real
end-of-quarter pushes, team splits, cancellations and returns, near-duplicate customers
entered by colleagues. Each injected case is a few records of one pattern for one or two
reps in one quarter; its label (detector, people, period, pattern) is written to
``<ATTAIN_VAR_DIR>/integrity-labels.json``, which ``attain integrity evaluate`` reads.
"""

from __future__ import annotations

import datetime
import io
import json
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change
from attain.calc.periods import period_bounds, periods_of_day
from attain.crm.models import (
    Activity,
    Contact,
    Customer,
    Evidence,
    Order,
    OrderCredit,
    OrderStatus,
    Payment,
    PeerRating,
)
from attain.integrity.evaluation import labels_path
from attain.org.company import company
from attain.org.models import Assignment, Person

from .crm import DEMO_TODAY, HISTORY_START

DEMO_PHOTO = "evidence/demo/visit.jpg"


def _demo_photo() -> str:
    """The photo the demo's reused-photo pattern points at, made once in the media
    storage (a plain picture: only its fingerprint matters to the check)."""
    if not default_storage.exists(DEMO_PHOTO):
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (96, 140, 200)).save(buffer, "JPEG")
        default_storage.save(DEMO_PHOTO, ContentFile(buffer.getvalue()))
    return DEMO_PHOTO


MARKER = "GX00001"  # the first injected customer: present means injected
CENT = Decimal("0.01")


def injected() -> bool:
    return Customer.objects.filter(external_id=MARKER).exists()


class _Injector:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 14)
        self.zone = company().zone
        self.numbers: dict[str, int] = defaultdict(int)
        self.labels: list[dict[str, Any]] = []
        self.used: set[str] = set()
        reps = Assignment.objects.filter(title="rep").select_related("person", "unit")
        self.unit: dict[int, int] = {a.person_id: a.unit_id for a in reps}
        counts: dict[int, int] = defaultdict(int)
        for owner_id in Order.objects.values_list("owner_id", flat=True):
            counts[owner_id] += 1
        self.people = {
            p.pk: p for p in Person.objects.filter(pk__in=[k for k, n in counts.items() if n >= 20])
        }
        first, last = HISTORY_START + datetime.timedelta(days=180), DEMO_TODAY
        quarters = sorted(
            {
                periods_of_day(first + datetime.timedelta(days=d))[2]
                for d in range(0, (last - first).days, 30)
            }
        )
        self.quarters = []
        for label in quarters:
            bounds = period_bounds(label)
            if bounds and bounds[1] + datetime.timedelta(days=40) <= DEMO_TODAY:
                self.quarters.append((label, bounds[0], bounds[1]))

    def next_id(self, prefix: str) -> str:
        self.numbers[prefix] += 1
        return f"{prefix}{self.numbers[prefix]:05d}"

    def rep(self) -> Person:
        choices = sorted(pk for pk in self.people if self.people[pk].code not in self.used)
        person = self.people[self.rng.choice(choices)]
        self.used.add(person.code)
        return person

    def quarter(self) -> tuple[str, datetime.date, datetime.date]:
        return self.rng.choice(self.quarters)

    def active(self) -> tuple[Person, tuple[str, datetime.date, datetime.date]]:
        """A rep and a quarter in which they sold (eight orders or more): gaming hides in
        real work."""
        choices = sorted(pk for pk in self.people if self.people[pk].code not in self.used)
        for _n in range(50):
            person, quarter = self.people[self.rng.choice(choices)], self.quarter()
            sold = Order.objects.filter(owner=person, date__gte=quarter[1], date__lte=quarter[2])
            if sold.count() >= 8:
                break
        self.used.add(person.code)
        return person, quarter

    def label(self, detector: str, people: list[Person], period: str, pattern: str) -> None:
        self.labels.append(
            {
                "detector": detector,
                "people": sorted(p.code for p in people),
                "period": period,
                "pattern": pattern,
            }
        )

    def moment(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)

    def amount(self) -> Decimal:
        return Decimal(str(round(self.rng.lognormvariate(11.2, 0.6), 2))).quantize(CENT)

    def customers_of(self, person: Person) -> list[Customer]:
        return list(Customer.objects.filter(owner=person, merged_into=None).order_by("pk")[:20])

    def order(self, person: Person, customer: Customer, day: datetime.date, **extra: Any) -> Order:
        fields: dict[str, Any] = {"amount": self.amount(), **extra}
        return Order.objects.create(
            external_id=self.next_id("GS"), customer=customer, owner=person, date=day, **fields
        )

    def pay(self, order: Order, person: Person) -> None:
        Payment.objects.create(
            external_id=self.next_id("GP"),
            customer=order.customer,
            order=order,
            collector=person,
            date=min(DEMO_TODAY, order.date + datetime.timedelta(days=20)),
            amount=order.amount,
        )

    # -- the patterns ----------------------------------------------------------------
    def wash(self) -> None:
        person, (label, _start, end) = self.active()
        customers = self.customers_of(person)
        for _n in range(self.rng.randint(4, 6)):
            day = end - datetime.timedelta(days=self.rng.randint(0, 8))
            self.order(
                person,
                self.rng.choice(customers),
                day,
                status=self.rng.choice([OrderStatus.CANCELLED, OrderStatus.RETURNED]),
                status_changed_on=end + datetime.timedelta(days=self.rng.randint(3, 25)),
            )
        self.label("wash_orders", [person], label, "after_period")

    def timing(self) -> None:
        person, (label, _start, end) = self.active()
        moved = list(
            Order.objects.filter(
                owner=person,
                date__gt=end,
                date__lte=end + datetime.timedelta(days=45),
                status=OrderStatus.CONFIRMED,
            )[:10]
        )
        for order in moved:  # pulled in from next quarter
            Order.objects.filter(pk=order.pk).update(
                date=end - datetime.timedelta(days=self.rng.randint(0, 5))
            )
        customers = self.customers_of(person)
        for _n in range(max(0, 10 - len(moved))):
            order = self.order(
                person,
                self.rng.choice(customers),
                end - datetime.timedelta(days=self.rng.randint(0, 5)),
            )
            self.pay(order, person)
        self.label("timing", [person], label, "pull_in")

    def reciprocal(self) -> None:
        """Two reps who each split orders of their own with the other: both must have
        sold in the quarter, or the label would claim a credit that was never given."""
        choices = sorted(pk for pk in self.people if self.people[pk].code not in self.used)
        for _n in range(50):
            first, second = (self.people[pk] for pk in self.rng.sample(choices, 2))
            label, start, end = self.quarter()
            plain = {
                person.pk: list(
                    Order.objects.filter(owner=person, date__gte=start, date__lte=end)
                    .exclude(credits__isnull=False)
                    .order_by("pk")[:4]
                )
                for person in (first, second)
            }
            if all(len(orders) >= 3 for orders in plain.values()):
                break
        self.used.update((first.code, second.code))
        for owner, partner in ((first, second), (second, first)):
            for order in plain[owner.pk]:
                OrderCredit.objects.create(order=order, person=owner, share=Decimal("0.5"))
                OrderCredit.objects.create(order=order, person=partner, share=Decimal("0.5"))
        self.label("reciprocal_credit", [first, second], label, "pair")

    def shell(self, variant: int) -> None:
        person, (label, start, end) = self.active()
        count = 6 if variant == 2 else 3
        phone = f"1{self.rng.randint(30, 89)}{self.rng.randint(0, 99_999_999):08d}"
        for index in range(count):
            day = start + datetime.timedelta(days=self.rng.randint(5, (end - start).days - 20))
            customer = Customer.objects.create(
                external_id=MARKER if not self.numbers["GX"] else self.next_id("GX"),
                name=f"{person.name}客户{self.rng.randint(100, 999)}号贸易有限公司",
                owner=person,
                created_on=day,
                email=person.email if variant == 0 and index == 0 else "",
            )
            if customer.external_id == MARKER:
                self.numbers["GX"] = 1
            if variant == 0:  # shared identity: one phone on every contact
                Contact.objects.create(
                    external_id=self.next_id("GK"), customer=customer, name="王经理", phone=phone
                )
            if variant == 2:  # a burst of one-order customers, each with a contact
                Contact.objects.create(
                    external_id=self.next_id("GK"),
                    customer=customer,
                    name="李经理",
                    phone=f"13{self.rng.randint(0, 999_999_999):09d}",
                )
            order = self.order(person, customer, day + datetime.timedelta(days=2))
            if variant == 2:
                self.pay(order, person)
        pattern = ("identity", "no_trace", "burst")[variant]
        self.label("shell_customers", [person], label, pattern)

    def fake(self, variant: int) -> None:
        person, (label, start, end) = self.active()
        acts = list(
            Activity.objects.filter(
                owner=person,
                occurred_at__gte=self.moment(start, 0, 0),
                occurred_at__lte=self.moment(end, 23, 59),
            ).order_by("pk")
        )
        customers = self.customers_of(person)
        day = start + datetime.timedelta(days=self.rng.randint(10, 60))
        if variant == 0 and len(acts) < 3:
            variant = 3
        if variant == 0:
            photo = f"{self.rng.getrandbits(64):016x}"
            for index, activity in enumerate(self.rng.sample(acts, 3)):
                near = int(photo, 16) ^ (1 << self.rng.randrange(64)) if index else int(photo, 16)
                Evidence.objects.create(
                    activity=activity,
                    kind="photo",
                    file=_demo_photo(),
                    perceptual_hash=f"{near:016x}",
                )
            pattern = "photo_reuse"
        elif variant == 1:
            for hour, minute, lat, lon in (
                (10, 0, "31.230416", "121.473701"),
                (10, 25, "39.904211", "116.407394"),
            ):
                Activity.objects.create(
                    external_id=self.next_id("GA"),
                    kind="visit",
                    customer=self.rng.choice(customers),
                    owner=person,
                    occurred_at=self.moment(day, hour, minute),
                    summary="上门拜访",
                    latitude=Decimal(lat),
                    longitude=Decimal(lon),
                )
            pattern = "impossible_travel"
        elif variant == 2:
            for customer in self.rng.sample(customers, min(4, len(customers))):
                Activity.objects.create(
                    external_id=self.next_id("GA"),
                    kind="visit",
                    customer=customer,
                    owner=person,
                    occurred_at=self.moment(
                        day + datetime.timedelta(days=self.rng.randint(0, 20)), 15, 0
                    ),
                    summary="上门拜访",
                    latitude=Decimal("30.274085"),
                    longitude=Decimal("120.155070"),
                )
            pattern = "same_spot"
        else:
            for customer in [self.rng.choice(customers) for _n in range(5)]:
                Activity.objects.create(
                    external_id=self.next_id("GA"),
                    kind="call",
                    customer=customer,
                    owner=person,
                    occurred_at=self.moment(day, 18, 7),
                    summary="",
                )
            pattern = "same_minute"
        self.label("fake_activities", [person], label, pattern)

    def amounts(self, variant: int) -> None:
        person, (label, start, end) = self.active()
        customers = self.customers_of(person)
        if variant == 0:
            for _n in range(6):
                day = start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))
                amount = Decimal(self.rng.choice((2, 3, 5, 8, 10, 12, 15)) * 10_000)
                self.pay(self.order(person, self.rng.choice(customers), day, amount=amount), person)
            pattern = "round"
        else:
            originals = list(Order.objects.filter(owner=person, date__gte=start, date__lte=end)[:2])
            for original in originals:
                self.order(person, original.customer, original.date, amount=original.amount)
            pattern = "duplicate"
        self.label("amounts", [person], label, pattern)

    def rating_ring(self) -> None:
        first = self.rep()
        mates = [
            pk
            for pk, unit in self.unit.items()
            if unit == self.unit.get(first.pk)
            and pk in self.people
            and self.people[pk].code not in self.used
        ]
        if not mates:
            return
        second = self.people[self.rng.choice(sorted(mates))]
        self.used.add(second.code)
        index = self.rng.randrange(max(1, len(self.quarters) - 2))
        for label, _start, end in self.quarters[index : index + 3]:
            day = end - datetime.timedelta(days=6)
            for rater, rated in ((first, second), (second, first)):
                PeerRating.objects.create(
                    external_id=self.next_id("GR"),
                    rater=rater,
                    person=rated,
                    date=day,
                    score=Decimal("5.0"),
                )
            self.label("rating_rings", [first, second], label, "mutual")


def inject_gaming(*, seed: int, per_detector: int = 4, echo: Any = print) -> list[dict[str, Any]]:
    """Inject ``per_detector`` labelled cases of each detector's patterns (once: a second
    call does nothing) and write the labels file. Returns the labels."""
    if injected():
        if echo is not None:
            echo(_("Gaming cases are already injected; nothing to do."))
        return json.loads(labels_path().read_text()) if labels_path().exists() else []
    injector = _Injector(seed)
    with transaction.atomic():
        for case in range(per_detector):
            injector.shell(case % 3)
            injector.wash()
            injector.timing()
            injector.reciprocal()
            injector.fake(case % 4)
            injector.amounts(case % 2)
            injector.rating_ring()
        anchor = Customer.objects.get(external_id=MARKER)
        record_change(
            None,
            Action.CREATE,
            anchor,
            after={"gaming_cases": len(injector.labels), "seed": seed},
            reason="Demo: labelled gaming cases injected for the integrity evaluation.",
        )
    path = labels_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(injector.labels, ensure_ascii=False, indent=1))
    if echo is not None:
        echo(
            _("Injected %(count)s labelled gaming cases (%(path)s).")
            % {"count": len(injector.labels), "path": path}
        )
    return injector.labels
