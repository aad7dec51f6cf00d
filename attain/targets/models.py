"""Target plans: a fiscal year's targets for one or more measures, decomposed by the
engine (spec section 6) from a unit's total down to units, people and months.

A plan moves draft → submitted → approved → published → acknowledged → locked. A change
after publishing is a new version of the same plan (``family``) with a reason; the
previous version becomes ``superseded``. The allocation of a plan version is stored as
:class:`TargetCell` rows (one per who × period) when it is saved; the engine computes
it, planners' edits are :class:`TargetEdit` rows that the next computation respects.
Rows are written only by :mod:`attain.targets.services`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from attain.org.models import Person, Unit
from attain.web.fields import acting_user


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    LOCKED = "locked", _("Locked")
    SUPERSEDED = "superseded", _("Superseded")


# The statuses whose allocation is in force (what people are measured against).
IN_FORCE = (PlanStatus.PUBLISHED, PlanStatus.ACKNOWLEDGED, PlanStatus.LOCKED)
# The statuses in which the allocation may still change.
EDITABLE = (PlanStatus.DRAFT,)


class Method(models.TextChoices):
    EQUAL = "equal", _("Equal")
    HISTORY = "history", _("History (last year's actual)")
    POTENTIAL = "potential", _("Market potential")
    CAPACITY = "capacity", _("Ramped capacity")
    BLEND = "blend", _("Blend")


class MonthSplit(models.TextChoices):
    EQUAL = "equal", _("Equal months")
    SEASONAL = "seasonal", _("Seasonal (history)")
    CUSTOM = "custom", _("Custom weights")


def default_levels() -> dict[str, Any]:
    blend = {"history": "0.5", "potential": "0.3", "capacity": "0.2"}
    return {
        "units": [{"method": "blend", "blend": blend, "overassign": "1"}],
        "people": {"method": "blend", "blend": blend, "overassign": "1"},
    }


def _level_words(spec: Any) -> str:
    """One level's method in words: "Blend (Equal 0.5, Ramped capacity 0.5), over-assign
    1.1"."""
    if not isinstance(spec, dict):
        return str(spec)
    method = str(spec.get("method") or "equal")
    words = str(Method(method).label) if method in Method.values else method
    blend = spec.get("blend") if isinstance(spec.get("blend"), dict) else {}
    if method == "blend" and blend:
        weights = pgettext("list separator", ", ").join(
            f"{Method(name).label if name in Method.values else name} {weight}"
            for name, weight in blend.items()
        )
        words = _("%(method)s (%(weights)s)") % {"method": words, "weights": weights}
    if str(spec.get("overassign") or "1") not in ("1", "1.0", "1.00"):
        words = _("%(method)s, over-assign %(factor)s") % {
            "method": words,
            "factor": spec["overassign"],
        }
    return words


class TargetPlan(models.Model):
    family = models.UUIDField(_("plan"), default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    root_unit = models.ForeignKey(
        Unit, verbose_name=_("decomposed from"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    roles = models.CharField(
        _("job roles that carry targets"),
        max_length=200,
        default="rep",
        help_text=_("Comma-separated job roles; people with other roles get no target."),
    )
    levels = models.JSONField(_("method per level"), default=default_levels)
    months = models.CharField(
        _("month split"), max_length=10, choices=MonthSplit.choices, default=MonthSplit.SEASONAL
    )
    month_weights = models.JSONField(_("custom month weights"), default=list, blank=True)
    history_year = models.PositiveIntegerField(_("history year"), null=True, blank=True)
    ramp = models.JSONField(_("ramp (first months' productivity)"), default=list, blank=True)
    round_to = models.DecimalField(_("round to"), max_digits=18, decimal_places=2, default=1)
    max_overassign = models.DecimalField(
        _("over-assignment limit"), max_digits=6, decimal_places=3, default=1.25
    )
    reason = models.TextField(_("reason for this version"), blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = acting_user()
    created = models.DateTimeField(_("created"), auto_now_add=True)
    computed = models.DateTimeField(_("allocation computed"), null=True, blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        ordering = ["-fiscal_year", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="target_plan_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @classmethod
    def audit_words(cls, field: str, value: Any) -> str | None:
        """The change log's words for the stored methods per level (``levels``), in the
        reader's language; ``None`` for the other fields (said as usual)."""
        if field != "levels" or not isinstance(value, dict):
            return None
        found = value.get("units")
        units: list[Any] = found if isinstance(found, list) else []
        said = [
            _("Level %(n)s: %(method)s") % {"n": depth, "method": _level_words(spec)}
            for depth, spec in enumerate(units, start=1)
        ]
        if value.get("people") is not None:
            said.append(_("People: %(method)s") % {"method": _level_words(value["people"])})
        return pgettext("list of levels", "; ").join(said)

    @property
    def role_list(self) -> list[str]:
        return [role.strip() for role in self.roles.split(",") if role.strip()]


class PlanMeasure(models.Model):
    """One measure of a plan and the total to decompose from the root unit."""

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="plan_measures")
    measure = models.SlugField(_("measure"), max_length=64)
    total = models.DecimalField(_("total"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        ordering = ["plan_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure"], name="target_plan_measure")
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.total}"


class Kind(models.TextChoices):
    UNIT = "unit", _("Unit")
    PERSON = "person", _("Person")


class TargetCell(models.Model):
    """One computed (or edited) target of a plan version: who × period (year or month)."""

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="cells")
    measure = models.SlugField(max_length=64)
    who = models.CharField(_("for"), max_length=64)  # unit code or person code
    kind = models.CharField(max_length=6, choices=Kind.choices)
    parent = models.CharField(max_length=64, blank=True)  # the unit it was decomposed from
    period = models.CharField(max_length=7)  # "2026" or "2026-03"
    value = models.DecimalField(max_digits=20, decimal_places=2)
    engine_value = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("target cell")
        verbose_name_plural = _("target cells")
        indexes = [
            models.Index(fields=["plan", "measure", "who"]),
            models.Index(fields=["plan", "who"]),  # one person's cells (acknowledging)
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.who} {self.period} {self.value}"


class TargetEdit(models.Model):
    """A planner's or manager's value for one cell, kept over recomputations."""

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="edits")
    measure = models.SlugField(max_length=64)
    who = models.CharField(_("for"), max_length=64)
    period = models.CharField(max_length=7)
    value = models.DecimalField(max_digits=20, decimal_places=2)
    by = acting_user()
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target edit")
        verbose_name_plural = _("target edits")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "measure", "who", "period"], name="target_edit_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.who} {self.period} = {self.value}"


class Acknowledgement(models.Model):
    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="acknowledgements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("acknowledged"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="target_acknowledgement")
        ]

    def __str__(self) -> str:
        # kept with its audit events (the trail names the kind): no words of a language
        return f"{self.person.code} · {self.plan}"


class Commitment(models.Model):
    """A bottom-up number: what a rep or manager commits to for the year."""

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="commitments")
    measure = models.SlugField(_("measure"), max_length=64)
    who = models.CharField(_("for"), max_length=64)
    value = models.DecimalField(_("commitment"), max_digits=20, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    by = acting_user()
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure", "who"], name="target_commitment")
        ]

    def __str__(self) -> str:
        # kept with its audit events: employee id, measure and value, no words of a language
        return f"{self.who} · {self.measure} · {self.value}"


class Notification(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(
        TargetPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    """A note to a person, stored as a message key and its parameters and written out in
    the language of whoever reads it (``text``). ``message`` keeps the text of a note whose
    key is unknown (none are written so today)."""

    class Key(models.TextChoices):
        PUBLISHED = "targets_published", _("Targets published")
        CHANGED = "targets_changed", _("Targets changed")

    key = models.CharField(_("message key"), max_length=40, choices=Key.choices, blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def text(self) -> str:
        """The note in the active language (the reader's)."""
        messages: dict[str, Any] = {
            self.Key.PUBLISHED: _(
                "Your targets for %(year)s (%(plan)s) are published: please acknowledge them."
            ),
            self.Key.CHANGED: _(
                "Your targets for %(year)s changed (%(plan)s, version %(version)s): %(reason)s"
            ),
        }
        template = messages.get(str(self.key))
        if template is None:
            return str(self.message)
        try:
            text: str = str(template) % self.params
            return text
        except (KeyError, TypeError, ValueError):
            return str(self.message)


class Reallocation(models.Model):
    """A proposal to reallocate the remaining months after a join, leave or transfer."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="reallocations")
    unit = models.CharField(_("unit"), max_length=64)
    from_month = models.CharField(_("from month"), max_length=7)
    reason = models.TextField(_("reason"))
    changes = models.JSONField(default=list)  # [{measure, who, period, before, after}]
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reallocation")
        verbose_name_plural = _("reallocations")

    def __str__(self) -> str:
        # kept with its audit events (the trail names the kind): no words of a language
        return f"{self.unit} · {self.from_month}"


class PaceSnapshot(models.Model):
    """A plan's pace and forecast on a day, as last calculated (docs/targets.md, "Pace"):
    the pages and the API read these instead of calculating on every visit. ``fingerprint``
    is the data's (:func:`attain.calc.cache.stored_fingerprint`) when calculated: when it
    no longer matches, the snapshot is shown as it is while a background task brings it
    up to date. Derived data, recalculated at will: not audited."""

    plan = models.ForeignKey(
        TargetPlan, on_delete=models.CASCADE, related_name="pace_snapshots", verbose_name=_("plan")
    )
    as_of = models.DateField(_("as of"))
    fingerprint = models.CharField(_("data fingerprint"), max_length=64)
    calculated = models.DateTimeField(_("calculated"))
    # rows as lists, in the fields' order, amounts as text; the forecast's once asked for
    pace = models.JSONField(_("pace"), null=True)
    forecast = models.JSONField(_("forecast"), null=True)
    queued = models.DateTimeField(_("refresh queued"), null=True)  # a refresh was queued then

    class Meta:
        verbose_name = _("pace snapshot")
        verbose_name_plural = _("pace snapshots")
        constraints = [
            models.UniqueConstraint(fields=["plan", "as_of"], name="targets_one_snapshot_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.as_of.isoformat()}"
