"""Writers of statements (docs/pay.md, "Statements"): the only code that changes
:class:`~attain.pay.models_statements.StatementSet` and ``Statement`` rows. Every change
is audited.

- :func:`start_statements` queues a period's statements as a background task (or resumes
  the period's unfinished set); :func:`generate_statements` is the task: it writes one
  PDF per payout of the period, in the person's language, into the set's own folder,
  a row per PDF once the file is whole, with progress and a heartbeat; when every
  statement is written it **publishes** the set in one transaction (people see only a
  published set) and removes the set it replaces. A set killed halfway is never
  published; the next start resumes it and keeps what it had written.
- :func:`acknowledge_statement`: the person confirms they have read their statement.
- :func:`set_company_name`: the name at the head of every statement.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop
from django.utils.translation import pgettext

from attain.audit.models import Action
from attain.audit.services import record_change, save_update, snapshot
from attain.incentives.explain_text import (
    COMPONENT_KINDS,
    label_of,
    money,
    number,
    percent,
    step_text,
)
from attain.incentives.models import PeriodResult
from attain.measures.services import measure_names
from attain.notify.models import Profile
from attain.org.company import company
from attain.org.models import Unit
from attain.org.templatetags.org_tags import job_title
from attain.web import leases

from . import statement_access as access
from . import statements as pdf
from .adjustments import line_label
from .models import Payout, PayoutState, amount_text
from .models_close import ADJUSTMENT, Adjustment, ClosedResult, PeriodState
from .models_disputes import ADJUSTMENT_PLAN
from .models_statements import SetStatus, Statement, StatementSet, StatementSettings
from .services_close import adjustment_label, explain_payouts
from .services_settings import update_settings

CHUNK = 100  # payouts read, drawn and recorded together
BATCH = 25  # statements a worker process draws per call
INLINE_BELOW = 150  # fewer statements than this are drawn in the calling process


# Company name ---------------------------------------------------------------------


def company_name() -> str:
    """The name stored for statements, else the company's (first-run setup), else the
    top unit's name."""
    row = StatementSettings.objects.filter(pk=1).first()
    if row and row.company_name:
        return row.company_name
    if company().name:
        return company().name
    top = Unit.objects.filter(parent__isnull=True).order_by("code").first()
    return top.name if top else "Attain"


def set_company_name(actor: Any, name: str, *, reason: str = "") -> StatementSettings:
    access.check_generate_statements(actor)
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError({"company_name": _("Give a name of at most 200 characters.")})
    return update_settings(
        actor,
        StatementSettings,
        {"company_name": name},
        state=lambda row: {"company_name": row.company_name},
        reason=reason,
    )


# Files ------------------------------------------------------------------------------


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "statements"


def set_folder(statement_set: StatementSet) -> Path:
    return root() / statement_set.period / str(statement_set.pk)


def file_of(statement: Statement) -> Path:
    return Path(settings.MEDIA_ROOT) / statement.file


# Starting and resuming ------------------------------------------------------------


def fail_abandoned_sets() -> int:
    """Mark failed the sets whose worker died (:func:`attain.web.leases.abandoned`); the
    next start resumes them. Returns how many were marked."""

    def mark(row: StatementSet, reason: str) -> None:
        _fail(row, [reason])
        record_change(None, Action.UPDATE, row, after=_state_of(row), reason=reason)

    return leases.fail_abandoned(
        StatementSet.objects.filter(status=SetStatus.RUNNING),
        _(
            "The worker generating these statements (%(worker)s) stopped before it finished; "
            "none of them was published. Generate again to resume."
        ),
        mark,
        started="created_at",
    )


def _state_of(row: StatementSet) -> dict[str, Any]:
    values = snapshot(row)
    return {k: values[k] for k in ("period", "status", "published", "total", "done")}


def start_statements(actor: Any, period: str) -> StatementSet:
    """Queue the statements of ``period`` (every payout of it) as a background task."""
    access.check_generate_statements(actor)
    fail_abandoned_sets()
    if not Payout.objects.filter(period=period).exists():
        raise ValidationError(
            {"period": _("No payouts in %(period)s: nothing to state.") % {"period": period}}
        )
    from .tasks_statements import statements_task

    with transaction.atomic():
        busy = StatementSet.objects.select_for_update().filter(
            period=period, status__in=[SetStatus.QUEUED, SetStatus.RUNNING]
        )
        if busy.exists():
            raise ValidationError(
                {
                    "period": _("The statements of %(period)s are being generated.")
                    % {"period": period}
                }
            )
        unfinished = (
            StatementSet.objects.filter(period=period, published=False, status=SetStatus.FAILED)
            .order_by("-pk")
            .first()
        )
        if unfinished is not None:
            row = unfinished
            before = _state_of(row)
            row.status, row.problems, row.stage = SetStatus.QUEUED, [], noop("Queued")
            row.finished_at = None
            save_update(
                actor,
                row,
                before=before,
                state=_state_of,
                reason=noop("Statement generation resumed"),
            )
        else:
            row = StatementSet.objects.create(
                period=period,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                stage=noop("Queued"),
            )
            record_change(
                actor,
                Action.CREATE,
                row,
                after=_state_of(row),
                reason=noop("Statement generation started"),
            )
        set_id = row.pk
        transaction.on_commit(lambda: statements_task.enqueue(set_id))
    return row


def _fail(row: StatementSet, problems: list[str]) -> StatementSet:
    row.status, row.problems, row.stage = SetStatus.FAILED, problems[:50], noop("Failed")
    row.finished_at = timezone.now()
    row.save()
    return row


def _beat(row: StatementSet, stage: str) -> None:
    row.stage, row.heartbeat_at = stage, timezone.now()
    row.progress = int(99 * row.done / row.total) if row.total else 0
    StatementSet.objects.filter(pk=row.pk).update(
        stage=stage,
        heartbeat_at=row.heartbeat_at,
        progress=row.progress,
        done=row.done,
        total=row.total,
    )


# The document ---------------------------------------------------------------------


@dataclass
class _Meta:
    person_id: int
    period: str
    language: str
    file: str
    digest: str
    amount: Decimal
    state: str
    held: bool


def _language(payout: Payout, profiles: dict[int, str]) -> str:
    user_id = payout.person.user_id
    chosen = profiles.get(user_id, "") if user_id else ""
    return chosen or company().language or settings.LANGUAGE_CODE  # else the site's


def _explanation(result: PeriodResult | None, frozen: str | None = None) -> dict[str, Any]:
    """The explanation document: the one frozen with the payout when its period is
    closed (``frozen``; the stored result may have moved on since, and the difference
    is an adjustment elsewhere), else the stored result's."""
    text = frozen if frozen else (result.explanation if result is not None else "")
    if not text:
        return {}
    try:
        return dict(json.loads(text))
    except ValueError:
        return {}


def _date(day: datetime.date | None) -> str:
    """A day as the reader writes it (the active language's DATE_FORMAT), never ISO."""
    return date_format(day, "DATE_FORMAT") if day else ""


def build_document(
    payout: Payout,
    result: PeriodResult | None,
    company: str,
    language: str,
    adjustments: Sequence[Adjustment] = (),
    names: dict[str, str] | None = None,
    frozen: str | None = None,
) -> pdf.StatementDocument:
    """The statement of ``payout`` with every text in ``language``; ``names`` the
    measures' names by code (read when not given); ``frozen`` the explanation frozen
    when the payout's period was closed."""
    with translation.override(language):
        doc = _explanation(result, frozen)
        plans = doc.get("plans") or {}
        currency = str(doc.get("currency") or "")
        person = payout.person
        facts = [
            (_("Person"), _("%(name)s (%(code)s)") % {"name": person.name, "code": person.code}),
            (_("Unit"), payout.unit.name if payout.unit else _("No unit")),
        ]
        if result is not None and result.role:
            facts.append((_("Job role"), job_title(result.role)))
        start = result.start if result is not None else None
        facts.append(
            (
                _("Pay period"),
                _("%(period)s (%(start)s – %(end)s)")
                % {"period": payout.period, "start": _date(start), "end": _date(payout.period_end)}
                if start
                else payout.period,
            )
        )
        state = str(PayoutState(payout.state).label)
        if payout.state == PayoutState.PAID:
            state = _("%(state)s on %(date)s, reference %(reference)s") % {
                "state": state,
                "date": _date(payout.paid_on),
                "reference": payout.payment_reference,
            }
        facts.append((_("Payout state"), state))
        if currency:
            facts.append((_("Currency"), currency))
        components, adjusted = [], []
        component_total = adjustment_total = Decimal("0")
        for line in payout.lines.all():
            plan = plans.get(line.plan) or {}
            if line.kind in COMPONENT_KINDS:
                components.append(
                    [
                        str(plan.get("name") or line.plan),
                        line.component,
                        label_of(COMPONENT_KINDS, line.kind),
                        money(line.amount),
                    ]
                )
                component_total += line.amount
            elif line.kind == ADJUSTMENT and line.plan == ADJUSTMENT_PLAN:  # a dispute's
                number = line.component.removeprefix("dispute-")  # (or a carried deficit)
                label = line_label(line.component) or _("Dispute adjustment #%(number)s") % {
                    "number": number
                }
                adjusted.append([label, _("Adjustment"), money(line.amount)])
                adjustment_total += line.amount
            elif line.kind == ADJUSTMENT:  # a prior-period adjustment (period close)
                adjusted.append(
                    [adjustment_label(line.component), _("Adjustment"), money(line.amount)]
                )
                adjustment_total += line.amount
            else:
                adjusted.append([line.component or line.plan, line.kind, money(line.amount)])
                adjustment_total += line.amount
        sections = [
            pdf.Section(
                _("Components"),
                header=[_("Plan"), _("Component"), _("Kind"), _("Amount")],
                rows=components,
                empty=_("No plan pays in this period."),
                widths=[0.42, 0.22, 0.14, 0.22],
                total=[_("Components total"), "", "", money(component_total)] if components else [],
            ),
            pdf.Section(
                _("Adjustments"),
                header=[_("Adjustment"), _("Kind"), _("Amount")],
                rows=adjusted,
                empty=_("No adjustments in this period."),
                widths=[0.56, 0.22, 0.22],
                total=[_("Adjustments total"), "", money(adjustment_total)] if adjusted else [],
                notes=[_adjustment_note(a, plans) for a in adjustments],
            ),
        ]
        summary = [[pgettext("statement", "Payout"), money(payout.amount)]]
        notes = []
        if payout.recalculated_amount is not None:
            later = money(payout.recalculated_amount)
            summary.append([_("Amount after a later recalculation"), later])
        if payout.note:
            notes.append(payout.note_text())
        sections.append(
            pdf.Section(
                pgettext("statement", "Payout"), rows=summary, widths=[0.78, 0.22], notes=notes
            )
        )
        if payout.held:
            hold = [
                _("Held since %(date)s: %(reason)s")
                % {
                    "date": _date(timezone.localdate(payout.held_at) if payout.held_at else None)
                    or "—",
                    "reason": payout.hold_reason,
                },
                _("A held amount is still owed: it is paid once the hold is released."),
            ]
            sections.append(pdf.Section(_("Holds"), notes=hold))
        else:
            sections.append(pdf.Section(_("Holds"), empty=_("This payout is not held.")))
        sections.extend(_summary_sections(doc, measure_names() if names is None else names))
        return pdf.StatementDocument(
            language=language,
            company=company,
            title=_("Pay statement"),
            facts=facts,
            sections=sections,
            subject=f"{person.code} {payout.period}",
            footer=_(
                "Every amount is explained to the records in Attain (My performance → "
                "explanation). If a number looks wrong, open an inquiry on the payout."
            ),
        )


def _adjustment_note(adjustment: Adjustment, plans: dict[str, Any]) -> str:
    """What an adjustment changed, component by component: before → after."""
    parts = [
        _("%(component)s: %(before)s → %(after)s (%(amount)s)")
        % {
            "component": f"{(plans.get(c.get('plan')) or {}).get('name') or c.get('plan')} · "
            f"{c.get('component')}",
            "before": money(c.get("before")),
            "after": money(c.get("after")),
            "amount": money(c.get("amount")),
        }
        for c in adjustment.components
    ]
    return f"{adjustment_label(adjustment.source_period)}: {'; '.join(parts)}"


def _summary_sections(doc: dict[str, Any], names: dict[str, str]) -> list[pdf.Section]:
    """The explanation, summed up: the measures (by the names their readers know, as
    on the explanation page) with their targets, and each component's steps (the
    records themselves stay in Attain)."""
    measures = []
    for code, entry in sorted((doc.get("measures") or {}).items()):
        target = (entry.get("target") or {}).get("value")
        actual = entry.get("actual")
        if target in (None, "") and actual in (None, "", "0"):
            continue
        measures.append(
            [
                names.get(str(code), str(code)),
                "—" if actual in (None, "") else number(actual),
                "—" if target in (None, "") else number(target),
                "—" if entry.get("attainment") in (None, "") else percent(entry["attainment"]),
            ]
        )
    steps = []
    for plan in (doc.get("plans") or {}).values():
        for component_id, component in (plan.get("components") or {}).items():
            kind = label_of(COMPONENT_KINDS, component.get("kind"))
            steps.append(
                [
                    # the brackets as the reader's language writes them: （） in Chinese
                    _("%(text)s (%(details)s)")
                    % {"text": f"{plan.get('name', '')} · {component_id}", "details": kind},
                    money(component.get("amount")),
                ]
            )
            for raw in component.get("steps") or []:
                step = step_text(raw, names)  # the measures named as in the table above
                label = f"    {step['label']}"
                if step["detail"]:
                    label = _("%(text)s (%(details)s)") % {"text": label, "details": step["detail"]}
                steps.append([label, step["value"]])
    return [
        pdf.Section(
            _("Measures"),
            header=[_("Measure"), _("Actual"), _("Target"), _("Attainment")],
            rows=measures,
            empty=_("No measure with a value or a target in this period."),
            widths=[0.34, 0.24, 0.24, 0.18],
        ),
        pdf.Section(
            _("Explanation summary"),
            header=[_("Step"), _("Value")],
            rows=steps,
            empty=_("No explanation is stored for this period."),
            widths=[0.78, 0.22],
        ),
    ]


def digest_of(
    payout: Payout,
    result: PeriodResult | None,
    adjustments: Sequence[Adjustment] = (),
    frozen: str | None = None,
) -> str:
    """The digest of what a statement says in figures: the person, the period, every
    line and amount of the payout, the adjustments, and the explanation's numbers
    (measures, components, steps as the engine writes them, language-free). An
    acknowledgement carries over to a statement generated again with the same digest:
    the words around the figures (the reader's language, the company name, the
    payout's state or hold, a better translation) may change without asking the person
    to acknowledge again."""
    doc = _explanation(result, frozen)
    figures = {
        "person": payout.person.code,
        "period": payout.period,
        "amount": str(payout.amount),
        "recalculated": None
        if payout.recalculated_amount is None
        else str(payout.recalculated_amount),
        "lines": sorted(
            [line.plan, line.component, line.kind, str(line.amount)] for line in payout.lines.all()
        ),
        "adjustments": [[a.source_period, a.components] for a in adjustments],
        "measures": {
            str(code): [
                entry.get("actual"),
                (entry.get("target") or {}).get("value"),
                entry.get("attainment"),
            ]
            for code, entry in (doc.get("measures") or {}).items()
        },
        "components": {  # the steps' labels are the engine's, never translated
            str(plan_id): {
                str(component_id): [
                    component.get("amount"),
                    [
                        [step.get("label"), step.get("value")]
                        for step in component.get("steps") or []
                    ],
                ]
                for component_id, component in (plan.get("components") or {}).items()
            }
            for plan_id, plan in (doc.get("plans") or {}).items()
        },
    }
    data = json.dumps(figures, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# Generating -----------------------------------------------------------------------


def _processes(requested: int | None, todo: int) -> int:
    if requested is not None:
        return max(1, requested)
    if todo < INLINE_BELOW:
        return 1
    configured = getattr(settings, "ATTAIN_STATEMENT_PROCESSES", None)
    return max(1, int(configured or min(4, os.cpu_count() or 1)))


def _documents(
    ids: Sequence[int], period: str, company: str
) -> list[tuple[Payout, str, pdf.StatementDocument, str]]:
    """(payout, language, document, digest) for the payouts ``ids``, by person code."""
    payouts = list(
        Payout.objects.filter(pk__in=ids)
        .select_related("person", "unit")
        .prefetch_related("lines")
        .order_by("person__code")
    )
    results = {
        r.person_id: r
        for r in PeriodResult.objects.filter(
            period=period, person_id__in=[p.person_id for p in payouts]
        ).only("person_id", "start", "end", "role", "explanation")
    }
    profiles = dict(
        Profile.objects.filter(
            user_id__in=[p.person.user_id for p in payouts if p.person.user_id]
        ).values_list("user_id", "language")
    )
    adjustments: dict[int, list[Adjustment]] = {}
    for adjustment in Adjustment.objects.filter(payout__in=payouts).order_by("source_period"):
        adjustments.setdefault(adjustment.payout_id or 0, []).append(adjustment)
    names: dict[str, dict[str, str]] = {}  # by language: a default measure's name is the reader's
    frozen = dict(
        ClosedResult.objects.filter(
            pay_period__period=period,
            pay_period__state=PeriodState.CLOSED,
            person_id__in=[p.person_id for p in payouts],
        ).values_list("person_id", "explanation")
    )
    found = []
    for payout in payouts:
        language = _language(payout, profiles)
        if language not in names:
            with translation.override(language):
                names[language] = measure_names()
        document = build_document(
            payout,
            results.get(payout.person_id),
            company,
            language,
            adjustments.get(payout.pk, []),
            names[language],
            frozen.get(payout.person_id),
        )
        digest = digest_of(
            payout,
            results.get(payout.person_id),
            adjustments.get(payout.pk, []),
            frozen.get(payout.person_id),
        )
        found.append((payout, language, document, digest))
    return found


def _load(set_row: StatementSet, ids: Sequence[int], company: str) -> list[tuple[_Meta, Any]]:
    folder = set_folder(set_row)
    media = Path(settings.MEDIA_ROOT)
    jobs = []
    for payout, language, document, digest in _documents(ids, set_row.period, company):
        path = folder / f"{payout.person_id}.pdf"
        meta = _Meta(
            person_id=payout.person_id,
            period=payout.period,
            language=language,
            file=str(path.relative_to(media)),
            digest=digest,
            amount=payout.amount,
            state=payout.state,
            held=payout.held,
        )
        jobs.append((meta, (str(path), document)))
    return jobs


def _record(set_row: StatementSet, metas: Sequence[_Meta], sizes: Sequence[int]) -> None:
    Statement.objects.bulk_create(
        [
            Statement(
                statement_set=set_row,
                person_id=m.person_id,
                period=m.period,
                language=m.language,
                file=m.file,
                size=size,
                digest=m.digest,
                amount=m.amount,
                payout_state=m.state,
                held=m.held,
            )
            for m, size in zip(metas, sizes, strict=True)
        ],
        batch_size=500,
    )
    set_row.done += len(metas)
    _beat(set_row, noop("Writing statements"))


def _keep_current(set_row: StatementSet) -> set[int]:
    """The people whose statement a resumed set keeps: those whose payout has not
    changed since it was drawn (amount, state, hold, lines, adjustments: any change
    saves the payout). The others are drawn again, so a published set always states
    the payouts as they are."""
    payouts = {
        p.person_id: p
        for p in Payout.objects.filter(period=set_row.period).only(
            "person_id", "amount", "state", "held", "updated_at"
        )
    }
    kept, stale = set(), []
    for statement in set_row.statements.all():
        payout = payouts.get(statement.person_id)
        if (
            payout is not None
            and (payout.amount, payout.state, payout.held)
            == (statement.amount, statement.payout_state, statement.held)
            and payout.updated_at <= statement.created_at
        ):
            kept.add(statement.person_id)
        else:
            stale.append(statement.pk)
    Statement.objects.filter(pk__in=stale).delete()  # redrawn into the same file
    return kept


def generate_statements(set_id: int, *, processes: int | None = None) -> StatementSet:
    """Write every missing statement of the set, then publish it (the background task)."""
    began = time.perf_counter()
    row = StatementSet.objects.get(pk=set_id)
    if row.status == SetStatus.DONE:
        return row
    row.status, row.worker, row.heartbeat_at = SetStatus.RUNNING, leases.holder(), timezone.now()
    row.save(update_fields=["status", "worker", "heartbeat_at"])
    try:
        pdf.register_font()
        written = _keep_current(row)
        ids = list(
            Payout.objects.filter(period=row.period)
            .exclude(person_id__in=written)
            .order_by("person__code")
            .values_list("pk", flat=True)
        )
        row.total, row.done = len(ids) + len(written), len(written)
        _beat(row, noop("Explaining results"))
        explain_payouts(row.period)
        _beat(row, noop("Writing statements"))
        company = company_name()
        chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        workers = _processes(processes, len(ids))
        if workers == 1:
            for chunk in chunks:
                jobs = _load(row, chunk, company)
                sizes = pdf.render_to_files([job for _meta, job in jobs])
                _record(row, [m for m, _job in jobs], [size for _path, size in sizes])
        else:
            _generate_in_processes(row, chunks, company, workers)
        _publish(row, began)
    except pdf.FontMissing as error:
        _fail(row, [font_missing_message(error)])
    except Exception as error:  # a failed set is shown, and resumed by the next start
        # a bug: a sentence finance can read, the error's text for whoever reports it
        stopped = _(
            "The statements stopped on an unexpected error: %(error)s. Generate them again."
        )
        _fail(row, [stopped % {"error": repr(error)}])
        raise
    row.refresh_from_db()
    return row


def _generate_in_processes(
    row: StatementSet, chunks: Sequence[Sequence[int]], company: str, workers: int
) -> None:
    """Draw in ``workers`` processes (they import no Django: the documents are plain
    data) while this process reads the next chunk; record each chunk when it is drawn."""
    pending: deque[tuple[list[_Meta], list[Future[list[tuple[str, int]]]]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:

        def finish() -> None:
            metas, futures = pending.popleft()
            sizes = [size for future in futures for _path, size in future.result()]
            _record(row, metas, sizes)

        for chunk in chunks:
            jobs = _load(row, chunk, company)
            batches = [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
            futures = [pool.submit(pdf.render_to_files, [j for _m, j in b]) for b in batches]
            pending.append(([m for m, _job in jobs], futures))
            while len(pending) > 2:
                finish()
        while pending:
            finish()


def _publish(row: StatementSet, began: float) -> None:
    """Make the set the period's statements, in one transaction; then remove the others."""
    with transaction.atomic():
        row = StatementSet.objects.select_for_update().get(pk=row.pk)
        before = _state_of(row)
        replaced = list(
            StatementSet.objects.filter(period=row.period)
            .exclude(pk=row.pk)
            .exclude(status__in=[SetStatus.QUEUED, SetStatus.RUNNING])
        )
        old = {
            (s.person_id, s.digest): s
            for s in Statement.objects.filter(
                statement_set__in=[r for r in replaced if r.published],
                acknowledged_at__isnull=False,
            )
        }
        carried = []
        for statement in row.statements.all():
            match = old.get((statement.person_id, statement.digest))
            if match is not None:
                statement.acknowledged_at = match.acknowledged_at
                statement.acknowledged_by_id = match.acknowledged_by_id
                carried.append(statement)
        Statement.objects.bulk_update(
            carried, ["acknowledged_at", "acknowledged_by"], batch_size=500
        )
        StatementSet.objects.filter(pk__in=[r.pk for r in replaced]).update(published=False)
        row.published, row.status, row.progress = True, SetStatus.DONE, 100
        row.stage = noop("Done")
        row.total = row.done = row.statements.count()
        row.finished_at = timezone.now()
        row.seconds = Decimal(f"{time.perf_counter() - began:.3f}")
        save_update(None, row, before=before, state=_state_of, reason=noop("Statements published"))
        gone = [r.pk for r in replaced]
        transaction.on_commit(lambda: remove_sets(gone))


def remove_sets(set_ids: Iterable[int]) -> None:
    """Delete replaced sets: their rows and their folders."""
    for old in StatementSet.objects.filter(pk__in=list(set_ids)):
        folder = set_folder(old)
        old.delete()
        shutil.rmtree(folder, ignore_errors=True)


def font_missing_message(error: pdf.FontMissing) -> str:
    return _(
        "No Chinese font was found to embed in the statements (tried %(paths)s). Install "
        "Debian's fonts-wqy-zenhei (apt-get install fonts-wqy-zenhei) or point "
        "ATTAIN_STATEMENT_FONT at a TrueType font, then generate again."
    ) % {"paths": ", ".join(error.searched)}


# Acknowledging --------------------------------------------------------------------


def acknowledge_statement(actor: Any, statement: Statement) -> Statement:
    """The person confirms they have read their statement (once; audited)."""
    access.check_acknowledge(actor, statement)
    with transaction.atomic():
        statement = (
            Statement.objects.select_for_update().select_related("person").get(pk=statement.pk)
        )
        if not StatementSet.objects.filter(pk=statement.statement_set_id, published=True).exists():
            raise ValidationError({"statement": _("This statement has been replaced.")})
        if statement.acknowledged_at is not None:
            raise ValidationError({"statement": _("This statement is already acknowledged.")})
        now_amount = (
            Payout.objects.filter(person=statement.person_id, period=statement.period)
            .values_list("amount", flat=True)
            .first()
        )
        if now_amount is not None and now_amount != statement.amount:
            # the figures acknowledged must be the payout's: a recalculated period's
            # statements wait to be generated again
            raise ValidationError(
                {
                    "statement": _(
                        "This statement shows %(shown)s, but the payout of %(period)s is "
                        "now %(now)s: acknowledge the new statement once finance has "
                        "generated it."
                    )
                    % {
                        "shown": amount_text(statement.amount),
                        "now": amount_text(now_amount),
                        "period": statement.period,
                    }
                }
            )
        before = {"acknowledged_at": None}
        now = timezone.now()
        statement.acknowledged_at, statement.acknowledged_by = now, actor
        statement.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record_change(
            actor,
            Action.UPDATE,
            statement,
            before=before,
            after={"acknowledged_at": now.isoformat(), "digest": statement.digest},
            reason=noop("Statement acknowledged"),
        )
    return statement


# Writing a period to a folder (the command line) ----------------------------------


def write_period(period: str, out: Path, *, processes: int | None = None) -> list[Path]:
    """Draw every statement of ``period`` into ``out`` (``CODE-PERIOD.pdf``) without
    storing a set; returns the files. For the command line and the benchmark."""
    pdf.register_font()
    explain_payouts(period)  # a full run stores none; the summary prints them
    company = company_name()
    ids = list(
        Payout.objects.filter(period=period).order_by("person__code").values_list("pk", flat=True)
    )
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    workers = _processes(processes, len(ids))
    pool = (
        ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
        if workers > 1
        else None
    )
    try:
        futures = []
        for start in range(0, len(ids), CHUNK):
            jobs = _render_jobs(ids[start : start + CHUNK], period, company, out)
            files.extend(Path(path) for path, _doc in jobs)
            if pool is None:
                pdf.render_to_files(jobs)
            else:
                for i in range(0, len(jobs), BATCH):
                    futures.append(pool.submit(pdf.render_to_files, jobs[i : i + BATCH]))
        for future in futures:
            future.result()
    finally:
        if pool is not None:
            pool.shutdown()
    return files


def _render_jobs(
    ids: Sequence[int], period: str, company: str, out: Path
) -> list[tuple[str, pdf.StatementDocument]]:
    return [
        (str(out / f"{payout.person.code}-{period}.pdf"), document)
        for payout, _language, document, _digest in _documents(ids, period, company)
    ]
