"""Reviews for tests that need one without preparing its packs (the access tables):
written as :func:`attain.reviews.services.open_review` would, with empty figures."""

from __future__ import annotations

import datetime

from attain.calc.periods import period_bounds
from attain.reviews.models import Review, ReviewAction, ReviewPack
from attain.reviews.services import cadence_of, due_on


def review(company, manager: str, period: str, people: list[str]) -> Review:
    bounds = period_bounds(period)
    assert bounds is not None
    found = Review.objects.create(
        manager=company.people[manager],
        unit=company.west if manager == "m3" else company.east,
        cadence=cadence_of(period),
        period=period,
        period_start=bounds[0],
        period_end=bounds[1],
        due_on=due_on(bounds[1]),
    )
    for code in people:
        ReviewPack.objects.create(review=found, person=company.people[code], data={})
    return found


def action(found: Review, person: str, owner: str, text: str = "call back") -> ReviewAction:
    pack = found.packs.get(person__code=person)
    return ReviewAction.objects.create(
        pack=pack,
        text=text,
        owner=pack.person if owner == person else found.manager,
        due_on=found.period_end + datetime.timedelta(days=30),
    )
