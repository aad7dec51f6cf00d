"""Plans (versioned, effective-dated, stored as the scenario format) and the stored
results of calculation runs: per person and period, and per component.

A plan version's ``source`` is the plan exactly as a scenario file's ``plans`` entry
(spec section 7), written as YAML; the engine's loader validates it. Results are written
only by :mod:`attain.incentives.services` and read by pages through ``visible_people``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from attain.org.models import Person, Unit
from attain.web import leases
from attain.web.fields import MONEY, acting_user
from attain.web.leases import RunStatus as RunStatus  # a calculation run is a leases.Run


class Plan(models.Model):
    code = models.SlugField(_("plan id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def latest(self) -> PlanVersion | None:
        return self.versions.order_by("-number").first()

    def active(self) -> PlanVersion | None:
        return self.versions.filter(status=VersionStatus.ACTIVE).order_by("-number").first()


class VersionStatus(models.TextChoices):
    """draft → submitted (sales operations propose) → approved (an approver) → active;
    submitted or approved go back to draft with a reason (docs/incentives.md)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    source = models.TextField(_("plan (scenario YAML)"))
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = acting_user()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # who submitted it for approval (four eyes: another login approves it); empty when the
    # system did, or while it is a draft
    submitted_by = acting_user(_("submitted by"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"

    def document(self) -> dict[str, Any]:
        from .documents import parse_yaml

        data, _problems = parse_yaml(self.source)
        return data if isinstance(data, dict) else {}


class PlanTarget(models.Model):
    """A target typed with the plans, used where target planning has published none for
    the same measure, person or unit and period (engine format, spec section 5)."""

    measure = models.CharField(_("measure"), max_length=64)
    who = models.CharField(_("person or unit id"), max_length=64)
    period = models.CharField(_("period"), max_length=16)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    # "none": the value applies as is to the periods inside (averages, ratios; spec 5.1)
    spread = models.CharField(_("spread"), max_length=8, blank=True, default="")

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["measure", "who", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "who", "period"], name="plan_target_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.who} {self.period}"

    def as_scenario(self) -> dict[str, Any]:
        value: Decimal = self.value.normalize()
        target = {"measure": self.measure, "who": self.who, "period": self.period, "value": value}
        return target | ({"spread": self.spread} if self.spread else {})


class RunKind(models.TextChoices):
    FULL = "full", _("Full recalculation")
    INCREMENTAL = "incremental", _("Incremental update")
    PREVIEW = "preview", _("Preview")


class CalculationRun(leases.Run):
    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    status = leases.run_status()
    people = models.PositiveIntegerField(_("people"), default=0)
    rows = models.PositiveIntegerField(_("result rows"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    # The first WARNINGS_KEPT warnings as [path, message] pairs (``warnings`` counts all)
    warning_details = models.JSONField(_("warning details"), default=list, blank=True)
    # A full run's payout per plan: {plan id: {"name", "payout" (text), "people"}}
    totals = models.JSONField(_("totals by plan"), default=dict, blank=True)
    # The day the run calculated as of (pace, the records known): explanations computed
    # later for its results use the same day.
    as_of = models.DateField(_("as of"), null=True, blank=True)

    class Meta(leases.Run.Meta):
        verbose_name = _("calculation run")
        verbose_name_plural = _("calculation runs")
        constraints = [
            # a full run not yet taken by a worker covers every later request for its
            # year: a second one (a double click on "Run") joins it
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=models.Q(kind="full", status="queued"),
                name="calculation_run_one_queued_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.fiscal_year} #{self.pk}"


class PeriodNumbers(models.Model):
    """One person's numbers for one period (spec section 8, one ``people.X.P`` entry):
    decimals are kept as text in the JSON so nothing goes through binary floats."""

    period = models.CharField(_("period"), max_length=16)
    period_kind = models.CharField(_("period kind"), max_length=8)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    unit = models.ForeignKey(Unit, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("job role"), max_length=64, blank=True)
    measures = models.JSONField(default=dict)
    targets = models.JSONField(default=dict)
    attainment = models.JSONField(default=dict)
    pace = models.JSONField(default=dict)
    plans = models.JSONField(default=dict)
    payout = models.DecimalField(_("payout"), **MONEY, default=Decimal("0"))
    main_attainment = models.DecimalField(
        _("attainment of the main measure"), max_digits=20, decimal_places=6, null=True
    )
    explanation = models.TextField(_("explanation (JSON)"), blank=True)

    class Meta:
        abstract = True


def employed_in_period() -> models.Q:
    """Period results of people employed on at least one day of the period: a leaver's
    later months (still reported, with records booked in their name after their last
    day) and a newcomer's months before they start are neither ranked nor honoured."""
    return models.Q(person__start__lte=models.F("end")) & (
        models.Q(person__end__isnull=True) | models.Q(person__end__gte=models.F("start"))
    )


class PeriodResult(PeriodNumbers):
    # no index of its own: the unique (person, period) index serves lookups by person,
    # and a full run rewrites every row of the year (one index less to keep up)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="period_results", db_index=False
    )
    run = models.ForeignKey(CalculationRun, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("period result")
        verbose_name_plural = _("period results")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="period_result_unique")
        ]
        indexes = [models.Index(fields=["period", "main_attainment"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period}"


class ComponentLine(models.Model):
    """What one component of a plan pays: a stored result's, and the payout lines copied
    from it (attain.pay: a payout's line, and its frozen copy at close)."""

    plan = models.CharField(_("plan id"), max_length=80)
    component = models.CharField(_("component id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        abstract = True


class ComponentNumbers(ComponentLine):
    """One component's amount (and level, score) for one person and period."""

    period = models.CharField(_("period"), max_length=16)
    level = models.CharField(_("level"), max_length=64, blank=True)
    score = models.DecimalField(_("score"), max_digits=20, decimal_places=6, null=True)

    class Meta:
        abstract = True


class ComponentResult(ComponentNumbers):
    # served by the unique (person, period, plan, component) index, as PeriodResult's
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="component_results", db_index=False
    )
    run = models.ForeignKey(CalculationRun, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("component result")
        verbose_name_plural = _("component results")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "plan", "component"], name="component_result_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "plan"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.plan}.{self.component}"


class RunPartition(leases.Leased):
    """One slice of a partitioned full run (docs/scaling.md): the people whose results
    one task calculates, on whichever worker takes it. Its results wait in the staged
    tables until every partition of the run is done; then one transaction moves them
    all into the stored results."""

    run = models.ForeignKey(CalculationRun, on_delete=models.CASCADE, related_name="partitions")
    number = models.PositiveIntegerField(_("number"))
    people = models.JSONField(_("people"), default=list)
    status = leases.run_status()
    # What the merge needs of this slice: {"people": [pks], "warnings": n,
    # "warning_details": [[path, message]], "totals": {plan: {name, payout, people}}}
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    seconds = models.DecimalField(_("seconds"), max_digits=10, decimal_places=3, null=True)

    class Meta:
        verbose_name = _("run partition")
        verbose_name_plural = _("run partitions")
        ordering = ["run_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="run_partition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"


class StagedPeriodResult(PeriodNumbers):
    """A partition's :class:`PeriodResult` rows until its run merges them."""

    partition = models.ForeignKey(RunPartition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.partition_id}: {self.person_id} {self.period}"


class StagedComponentResult(ComponentNumbers):
    """A partition's :class:`ComponentResult` rows until its run merges them."""

    partition = models.ForeignKey(RunPartition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.partition_id}: {self.person_id} {self.period} {self.plan}.{self.component}"


class HonourKind(models.TextChoices):
    CHAMPION = "champion", _("Monthly champion")
    MOST_IMPROVED = "most_improved", _("Most improved")
    EXCELLENT = "excellent", _("Outstanding achiever")


class Honour(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("honour"), max_length=16, choices=HonourKind.choices)
    period = models.CharField(_("period"), max_length=16)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    awarded_at = models.DateTimeField(_("awarded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-period", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "period"], name="honour_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}: {self.person_id}"
