"""The kinds of notification: a label, a title and a text with ``%(name)s`` parameters
(translated, so written out in the reader's language), the page it links to, and
whether a group webhook may carry it (nothing about one person's pay goes to a group).

A new kind: a :class:`Kind` here, its Chinese in the .po file, and a call of
:func:`attain.notify.services.notify` where it happens.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_date
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from attain.crm.stages import stored_stage_name
from attain.measures.defaults import reader_name

from .models import Channel


@dataclasses.dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    title: Promise
    text: Promise
    link: str = ""  # a URL name, reversed without arguments
    groups: bool = False  # may go to group webhooks
    # May reach someone whose employment has ended (their own pay and disputes); every
    # other kind (reminders, targets, reviews, imports) goes to people still employed.
    leavers: bool = False
    # The text for stored parameters that lack some of ``text``'s (rows kept before the
    # kind's text changed); ``None``: ``text`` always, a missing parameter reading empty.
    fallback: Promise | None = None
    # Parameters that are an amount (2 places) or a count: stored as plain numbers and
    # grouped in the reader's language when written out (1,234,567.50, 12,000).
    amounts: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    # Parameters that are a day: stored as ISO text (2026-06-30) and written out in the
    # reader's language (June 30, 2026; 2026年6月30日).
    dates: tuple[str, ...] = ()
    # Parameters that are interface words stored as their catalogue entry ("orders"):
    # given in the reader's language.
    terms: tuple[str, ...] = ()
    # Parameters that are a funnel stage's name as stored: a default stage's (线索) is
    # given in the reader's language (Lead), a name the company chose as it is.
    stages: tuple[str, ...] = ()
    # The parameter holding the employee id (or ids) of the people the notice is about,
    # and the page for a reader who is not one of them (their manager): their team's.
    about: str = ""
    team_link: str = ""


KINDS: dict[str, Kind] = {
    k.code: k
    for k in [
        Kind(
            "targets_published",
            _("Targets published"),
            _("Your targets for %(year)s are published"),
            _("“%(plan)s” sets your targets for %(year)s: please read and acknowledge them."),
            "targets:mine",
            groups=True,
        ),
        Kind(
            "targets_changed",
            _("Targets changed"),
            _("Your targets for %(year)s changed"),
            _("“%(plan)s”, version %(version)s, changes your targets: %(reason)s"),
            "targets:mine",
            groups=True,
        ),
        Kind(
            "acknowledgement_due",
            _("Acknowledgement due"),
            _("Please acknowledge your targets for %(year)s"),
            _("“%(plan)s” was published on %(published)s and waits for your acknowledgement."),
            "targets:mine",
            groups=True,
            dates=("published",),
        ),
        Kind(
            "behind_pace",
            _("Behind pace"),
            _("Behind pace on %(measure)s"),
            _("%(who)s is at %(percent)s%% of the pace expected by %(day)s (%(plan)s)."),
            "targets:mine",
            dates=("day",),
            about="code",
            team_link="targets:pace",
        ),
        Kind(
            "payout_calculated",
            _("Payout calculated"),
            _("Results for %(year)s are calculated"),
            _("The calculation of %(year)s finished: your results and payout are up to date."),
            "incentives:mine",
            groups=True,
            leavers=True,
        ),
        Kind(
            "payout_approved",
            _("Payout approved"),
            _("Your payout for %(period)s is approved"),
            _("%(detail)s"),
            "incentives:mine",
            leavers=True,
        ),
        Kind(
            "payout_held",
            _("Payout held"),
            _("Your payout for %(period)s is held"),
            _("%(detail)s"),
            "incentives:mine",
            leavers=True,
        ),
        Kind(
            "dispute_updated",
            _("Dispute updated"),
            _("Your dispute was updated"),
            _("%(detail)s"),
            leavers=True,
        ),
        Kind(
            "dispute_opened",
            _("Dispute opened"),
            _("Dispute #%(number)s: %(title)s"),
            _("%(who)s disputes their pay for %(period)s: “%(title)s”. Please answer in time."),
            "pay:disputes",
            leavers=True,
        ),
        Kind(
            "dispute_assigned",
            _("Dispute assigned"),
            _("Dispute #%(number)s is assigned to you"),
            _("%(who)s gave you dispute #%(number)s (%(period)s): “%(title)s”."),
            "pay:disputes",
            leavers=True,
        ),
        Kind(
            "dispute_message",
            _("Dispute message"),
            _("New message on dispute #%(number)s"),
            _("%(who)s: %(excerpt)s"),
            "pay:disputes",
            leavers=True,
        ),
        Kind(
            "dispute_started",
            _("Dispute in progress"),
            _("Your dispute #%(number)s is being looked into"),
            _("%(who)s is looking into “%(title)s” (%(period)s)."),
            "pay:disputes",
            leavers=True,
        ),
        Kind(
            "dispute_resolved",
            _("Dispute resolved"),
            _("Your dispute #%(number)s is resolved"),
            _("Adjustment %(amount)s, paid in %(paid_in)s: %(reason)s"),
            "pay:disputes",
            leavers=True,
            amounts=("amount",),
        ),
        Kind(
            "adjustment_stranded",
            _("Adjustment waiting for a leaver"),
            _("Dispute #%(number)s: an adjustment waits for someone who has left"),
            _(
                "%(person)s has left and has no later payout to carry the adjustment of "
                "%(amount)s (dispute #%(number)s, %(period)s): settle it on the pay "
                "periods page."
            ),
            "pay:periods",
            amounts=("amount",),
        ),
        Kind(
            "deficit_stranded",
            _("Deficit waiting for a leaver"),
            _("%(person)s: a deficit waits for someone who has left"),
            _(
                "%(person)s has left and has no later payout to recover the deficit of "
                "%(amount)s carried from %(period)s: settle it on the pay periods page."
            ),
            "pay:periods",
            amounts=("amount",),
        ),
        Kind(
            "dispute_rejected",
            _("Dispute rejected"),
            _("Your dispute #%(number)s is rejected"),
            _("%(who)s: %(reason)s"),
            "pay:disputes",
            leavers=True,
        ),
        Kind(
            "dispute_withdrawn",
            _("Dispute withdrawn"),
            _("Dispute #%(number)s was withdrawn"),
            _("%(who)s withdrew “%(title)s” (%(period)s)."),
            "pay:disputes",
            leavers=True,
        ),
        Kind(
            "review_due",
            _("Review due"),
            _("A review is due"),
            _("%(detail)s"),
        ),
        Kind(
            "team_review_due",
            _("Team review due"),
            _("Your team's review of %(period)s is due"),
            _("%(period)s has ended: open your team's review by %(due)s."),
            "reviews:index",
            dates=("due",),
        ),
        Kind(
            "review_opened",
            _("Review opened"),
            _("Your review of %(period)s is ready"),
            _("%(manager)s opened the review of %(period)s: read your pack and add your comments."),
            "reviews:index",
        ),
        Kind(
            "review_comment",
            _("Review comment"),
            _("New comment on the review of %(period)s"),
            _("%(who)s commented on the review of %(period)s."),
            "reviews:index",
        ),
        Kind(
            "integrity_hold",
            _("Integrity hold"),
            _("Payout held after an integrity review"),
            _("%(period)s, %(who)s: %(reason)s"),
            # the held person: their own page, where the hold notice (and its dispute
            # link) is; their manager: the payout register, where the hold shows
            "incentives:mine",
            leavers=True,
            about="codes",
            team_link="pay:register",
        ),
        Kind(
            "import_finished",
            _("Import finished"),
            _("Import of %(file)s finished"),
            _("%(file)s into %(table)s: %(written)s rows written, %(rejected)s rejected."),
            "intake",
            groups=True,
            counts=("written", "rejected"),
            terms=("table",),
        ),
        Kind(
            "import_failed",
            _("Import failed"),
            _("Import of %(file)s failed"),
            _("%(file)s into %(table)s: %(error)s"),
            "intake",
            terms=("table",),
        ),
        Kind(
            "follow_up_due",
            _("Follow-up reminder"),
            _("Follow up: %(opportunity)s"),
            _("%(customer)s · %(name)s: no contact for %(days)s days in stage %(stage)s."),
            "crm:reminders",
            stages=("stage",),
            # Before issue 12 a follow-up carried the sentence, in the sender's language.
            fallback=_("%(message)s"),
        ),
        Kind(
            "test",
            _("Test message"),
            _("Test message from Attain"),
            _("This webhook works: Attain can send to it."),
            groups=True,
        ),
    ]
}

# The channels a kind goes out on when the person has not chosen.
DEFAULT_CHANNELS = frozenset({Channel.IN_APP, Channel.WEBHOOK})


_PARAM = re.compile(r"%\((\w+)\)")


class _Params(dict[str, Any]):
    """Parameters for ``%`` formatting: a missing one reads as empty, never an error."""

    def __missing__(self, key: str) -> str:
        return ""


def kind_of(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None


def render(code: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """(title, text) in the active language."""
    kind = KINDS.get(code)
    if kind is None:
        return code, ""
    values = _Params(params)
    for names, places in ((kind.amounts, 2), (kind.counts, 0)):
        for name in names:
            if name in values:
                values[name] = _number(values[name], places)
    for name in kind.dates:
        if name in values:
            values[name] = _day(values[name])
    for name in kind.terms:
        if isinstance(values.get(name), str) and values[name]:
            values[name] = gettext(values[name])
    for name in kind.stages:
        if isinstance(values.get(name), str):
            values[name] = stored_stage_name(values[name])
    if isinstance(values.get("measure"), str) and isinstance(values.get("measure_code"), str):
        # a default measure's stored name (销售额 Revenue) in the reader's language
        values["measure"] = reader_name(values["measure_code"], values["measure"])
    text = str(kind.text)
    if kind.fallback is not None and not set(_PARAM.findall(text)) <= values.keys():
        text = str(kind.fallback)
    try:
        return str(kind.title) % values, text % values
    except (TypeError, ValueError):  # a wrong parameter type: say what we can
        return str(kind.label), ""


def _number(value: Any, places: int) -> Any:
    """A stored number grouped in the active language with ``places`` decimals; any other
    value (a parameter missing, or text) as it is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if isinstance(value, bool) or not number.is_finite():
        return value
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places, force_grouping=True)


def _day(value: Any) -> Any:
    """A stored day (ISO text) in the active language's format; anything else as it is."""
    try:
        day = parse_date(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    return date_format(day, "DATE_FORMAT") if day is not None else value


def link(code: str, params: Mapping[str, Any] | None = None, reader: str | None = None) -> str:
    """The page a notice links to. ``reader``: the employee id of the login reading it;
    one the notice is not about (a manager told of their rep) gets the kind's team page."""
    kind = KINDS.get(code)
    if kind is None or not kind.link:
        return ""
    name = kind.link
    about = (params or {}).get(kind.about) if kind.about else None
    if isinstance(about, str):
        about = [about]
    if kind.team_link and isinstance(about, list) and about and reader not in about:
        name = kind.team_link
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
