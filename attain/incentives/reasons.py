"""Why someone is behind pace (issue 16, "Reasons, not just lists"): from the same data as
the pages beside it, the causes the data shows, each with its figures.

- **weak stage** (短板): the funnel step where the person converts furthest below the
  team median (:func:`attain.incentives.selectors.funnel_of`, the opportunities created
  in the period);
- **low activity**: fewer than half the team median of logged activities from the
  period's start to the day;
- **pipeline too thin**: the open opportunities expected to close by the period's end,
  each weighted by its stage's win probability, add up to less than what is still
  missing to the target;
- **big deal slipping**: an open opportunity worth at least a fifth of the target whose
  expected close date has passed.

A reason is stored as data (a code and its figures) and put in words in the reader's
language when shown (:func:`text`), so a review pack prepared in Chinese reads in English
too. Used by My team's behind-pace list and by the review packs (attain.reviews).
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from attain.crm.models import Activity, Opportunity, StageKind
from attain.crm.stages import stored_step
from attain.web.aggregates import ExactSum

from .selectors import funnel_of

BIG_DEAL_SHARE = Decimal("0.2")  # a deal worth a fifth of the target is a big one
LOW_ACTIVITY_SHARE = Decimal("0.5")  # under half the team median is low
CENT = Decimal("0.01")

CODES = ("weak_stage", "low_activity", "thin_pipeline", "deal_slipping")


def activity_counts(
    people: Iterable[Any], start: datetime.date, end: datetime.date
) -> dict[int, dict[str, int]]:
    """Per person id, the activities they logged from ``start`` to ``end`` by kind."""
    counts: dict[int, dict[str, int]] = {}
    # The local days as a range of instants, not ``occurred_at__date``: that converts
    # every activity's time to a date (on SQLite in Python, row by row) and no index helps.
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time(), tzinfo=zone)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    rows = (
        Activity.objects.filter(owner__in=people, occurred_at__gte=since, occurred_at__lt=until)
        .values("owner_id", "kind")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts.setdefault(row["owner_id"], {})[row["kind"]] = row["n"]
    return counts


def median_total(counts: Mapping[int, Mapping[str, int]], people: Iterable[int]) -> Decimal:
    """The team median of everyone's total activities (zero for someone with none)."""
    totals = [sum(counts.get(pk, {}).values()) for pk in people]
    return Decimal(str(statistics.median(totals))) if totals else Decimal(0)


def weighted_pipeline(
    people: Iterable[Any], as_of: datetime.date, end: datetime.date
) -> dict[int, Decimal]:
    """Per person id: open opportunities expected to close by ``end`` (also those whose
    date has passed: they may still close), amount × the stage's win probability, to
    the cent (half-up)."""
    rows = (
        Opportunity.objects.filter(
            owner__in=people, stage__kind=StageKind.OPEN, expected_close__lte=end
        )
        .values("owner_id")
        # exact: amount (2 places) × probability (3 places) has 5
        .annotate(weighted=ExactSum(F("amount") * F("stage__probability"), places=5))
    )
    return {
        r["owner_id"]: (r["weighted"] or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
        for r in rows
    }


def slipping_deals(
    people: Iterable[Any], as_of: datetime.date, targets: Mapping[int, Decimal | None]
) -> dict[int, Opportunity]:
    """Per person id, their biggest open opportunity worth at least a fifth of their
    target whose expected close date is before ``as_of`` (one query)."""
    ids = [p.pk for p in people if targets.get(p.pk)]
    found: dict[int, Opportunity] = {}
    overdue = Opportunity.objects.filter(
        owner_id__in=ids, stage__kind=StageKind.OPEN, expected_close__lt=as_of
    ).order_by("-amount", "pk")
    for opp in overdue:
        target = targets.get(opp.owner_id)
        if opp.owner_id in found or not target or opp.amount < target * BIG_DEAL_SHARE:
            continue
        found[opp.owner_id] = opp
    return found


def reasons_for(
    team: Any,
    people: Iterable[Any],
    start: datetime.date,
    end: datetime.date,
    as_of: datetime.date,
    main: Mapping[int, tuple[Decimal | None, Decimal | None]],
    funnel: Mapping[str, Any] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """The reasons for each of ``people`` (a part of ``team``, the people the medians are
    taken over), on ``as_of`` in the period ``start``…``end``. ``main``: per person id
    the main measure's (target, actual); ``funnel``: the team's funnel when the caller
    has it already. Each reason: ``{"code", "params"}``."""
    people = list(people)
    as_of = min(as_of, end)
    if funnel is None:
        funnel = funnel_of(team, start, end)
    weak = {p["person"].pk: p for p in funnel["people"]}
    team_ids = list(team.values_list("pk", flat=True))
    counts = activity_counts(team, start, as_of)
    median = median_total(counts, team_ids)
    pipeline = weighted_pipeline(people, as_of, end) if as_of < end else {}
    deals = slipping_deals(people, as_of, {pk: target for pk, (target, _a) in main.items()})
    found: dict[int, list[dict[str, Any]]] = {}
    for person in people:
        reasons: list[dict[str, Any]] = []
        entry = weak.get(person.pk)
        if entry is not None and entry["weak"] is not None:
            i = entry["weak"]
            reasons.append(
                {
                    "code": "weak_stage",
                    "params": {
                        "step": funnel["steps"][i],
                        "rate": str(entry["rates"][i]),
                        "median": str(funnel["medians"][i]),
                    },
                }
            )
        total = sum(counts.get(person.pk, {}).values())
        if median > 0 and total < median * LOW_ACTIVITY_SHARE:
            reasons.append(
                {"code": "low_activity", "params": {"count": total, "median": str(median)}}
            )
        target, actual = main.get(person.pk, (None, None))
        remaining = (target - (actual or Decimal(0))) if target else None
        if as_of < end and remaining is not None and remaining > 0:
            weighted = pipeline.get(person.pk, Decimal(0))
            if weighted < remaining:
                reasons.append(
                    {
                        "code": "thin_pipeline",
                        "params": {"pipeline": str(weighted), "remaining": str(remaining)},
                    }
                )
        deal = deals.get(person.pk)
        if deal is not None and deal.expected_close is not None:
            reasons.append(
                {
                    "code": "deal_slipping",
                    "params": {
                        "deal": deal.name,
                        "amount": str(deal.amount),
                        "day": deal.expected_close.isoformat(),
                    },
                }
            )
        found[person.pk] = reasons
    return found


def _percent(value: Any) -> str:
    return f"{Decimal(str(value)) * 100:.0f}%"


def _amount(value: Any) -> str:
    whole = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return number_format(whole, 0, force_grouping=True)


def _number(value: Any) -> str:
    number = Decimal(str(value))
    places = 0 if number == number.to_integral_value() else 1
    return number_format(number, places, force_grouping=True)


def text(reason: Mapping[str, Any]) -> str:
    """One reason in words, in the active language."""
    code = reason.get("code")
    p = reason.get("params") or {}
    try:
        if code == "weak_stage":
            return _("%(step)s converts %(rate)s against the team median of %(median)s.") % {
                "step": stored_step(p["step"]),
                "rate": _percent(p["rate"]),
                "median": _percent(p["median"]),
            }
        if code == "low_activity":
            return _(
                "%(count)s activities logged so far against the team median of %(median)s."
            ) % {
                "count": _number(p["count"]),
                "median": _number(p["median"]),
            }
        if code == "thin_pipeline":
            return _(
                "Open deals expected to close this period weigh %(pipeline)s (amount × win "
                "probability) against %(remaining)s still missing to the target."
            ) % {"pipeline": _amount(p["pipeline"]), "remaining": _amount(p["remaining"])}
        if code == "deal_slipping":
            return _(
                "“%(deal)s” (%(amount)s) was expected to close on %(day)s and is still open."
            ) % {
                "deal": p["deal"],
                "amount": _amount(p["amount"]),
                "day": date_format(datetime.date.fromisoformat(p["day"]), "SHORT_DATE_FORMAT"),
            }
    except (KeyError, ValueError, ArithmeticError):
        pass
    return str(code or "")


def label(code: str) -> str:
    """A reason's short name (a tag beside the sentence)."""
    return {
        "weak_stage": _("Weak stage"),
        "low_activity": _("Low activity"),
        "thin_pipeline": _("Pipeline too thin"),
        "deal_slipping": _("Big deal slipping"),
    }.get(code, code)
