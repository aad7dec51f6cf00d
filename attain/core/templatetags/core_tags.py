"""Template helpers of the web shell."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, format_html, format_html_join, json_script
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from attain.org.templatetags.org_tags import job_title
from attain.web.pickers import picker_attrs

register = template.Library()


# Names an audit event's changes use that are not a model field's own translated
# name (a field declared without one, a snapshot's extra key), and reasons the system
# writes in English: their catalogue entries, read by field_label and by `reason`.
_AUDIT_WORDS = (
    gettext_noop("opened by"),
    gettext_noop("created by"),
    gettext_noop("done by"),  # a review action's tick
    gettext_noop("by"),  # a commitment's, a target edit's
    gettext_noop("pack"),
    gettext_noop("totals"),
    gettext_noop("cells"),
    gettext_noop("integrity scan"),
    # fields declared without a name of their own (their name is read as the label)
    gettext_noop("changed by"),
    gettext_noop("held by"),
    gettext_noop("reviewed by"),
    gettext_noop("approved by"),
    gettext_noop("paid by"),
    gettext_noop("updated by"),
    gettext_noop("requested by"),
    gettext_noop("reopened by"),
    gettext_noop("closed by"),
    gettext_noop("acknowledged by"),
    gettext_noop("from stage"),
    gettext_noop("to stage"),
    gettext_noop("name key"),
    gettext_noop("phone key"),
    gettext_noop("email key"),
    gettext_noop("ticket"),
    gettext_noop("rule"),
    gettext_noop("parent"),
    gettext_noop("engine value"),
    gettext_noop("at"),
    gettext_noop("changes"),
    gettext_noop("targets"),
    gettext_noop("attainment"),
    gettext_noop("pace"),
    gettext_noop("run"),
    gettext_noop("partition"),
    gettext_noop("key"),
    gettext_noop("result"),
    gettext_noop("webhook"),
)


# a word with a hyphen or a dash in it (2026-Q2, P10–P90, pay-code)
_DASHED = re.compile(r"[-‐‑–—]")


@register.filter
def whole_words(text: Any) -> str:
    """``text`` (escaped) wrapping at its spaces only: each word with a hyphen or a dash
    in it is kept on one line (``span.nowrap``). On a phone a squeezed header broke
    预测 P50（P10–P90） at its dash."""
    # every word is escaped
    return mark_safe(
        " ".join(
            f'<span class="nowrap">{conditional_escape(word)}</span>'
            if _DASHED.search(word)
            else str(conditional_escape(word))
            for word in str(text).split(" ")
        )
    )


@register.filter
def field_label(event: Any, field: str) -> str:
    """A changed field of an audit event by its translated name (the raw name, through
    the catalogue, when the model no longer has it or never named it)."""
    label = getattr(_field_of(event, field), "verbose_name", None) or field.replace("_", " ")
    return _(str(label))


@register.filter
def isodate(text: Any) -> Any:
    """A day stored as ISO text (a JSON field's "2025-09-01") as a date, for ``|date``
    to write in the reader's format; anything else as it is."""
    if isinstance(text, str):
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is not None:
            return day
    return text


@register.filter
def reason(text: str) -> str:
    """An audit event's reason in the reader's language where it is one the system
    writes (stored in the language of whoever wrote it: English for a background task);
    a reason a person typed stays as typed."""
    return _(text) if text else text


def _field_of(event: Any, field: str) -> Any:
    model = event.content_type.model_class() if event.content_type_id else None
    if model is None:
        return None
    try:
        return model._meta.get_field(field)
    except FieldDoesNotExist:
        return None


@register.simple_tag(takes_context=True)
def audit_value(context: Any, event: Any, field: str, value: Any) -> Any:
    """A value of an audit event in words: what the model's ``audit_words(field, value)``
    says (when it has one and says something), a related record by its name (not
    ``71``), a choice by its label, yes or no; anything else as stored. Names are looked up
    once per page (``render_context``); a record deleted since shows its number."""
    if value is None or value == "":
        return "—"
    model = event.content_type.model_class() if event.content_type_id else None
    words = getattr(model, "audit_words", None)  # a model that says a field in words
    if words is not None and (said := words(field, value)) is not None:
        return said
    if isinstance(value, dict):  # a snapshot's mapping: key: value, by key (the stored
        # order is SQLite's alone: PostgreSQL's jsonb keeps the shortest key first)
        return "; ".join(f"{key}: {_plain(item)}" for key, item in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    found = _field_of(event, field)
    if isinstance(found, models.DecimalField):  # an amount: grouped as the page's others
        return _number(value, always=True) or value
    if (
        isinstance(found, models.IntegerField | models.FloatField)
        and not found.primary_key
        and not found.choices
    ):
        return _number(value) or value
    if isinstance(value, str) and (found is None or isinstance(found, models.DateTimeField)):
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:  # a time stored in UTC
            return date_format(localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and isinstance(found, models.DateField):  # a day: ISO stored
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
    if not isinstance(found, models.Field):  # gone, or a reverse relation ("cells")
        return value
    if (found.model._meta.label_lower, field) == ("org.assignment", "title"):
        return job_title(value)  # a code (rep, manager…) or free text
    if isinstance(found, models.BooleanField):
        return _("yes") if value else _("no")
    if found.choices:
        return dict(found.flatchoices).get(value, value)
    if not (found.many_to_one or found.one_to_one) or found.related_model is None:
        return value
    names: dict[tuple[Any, Any], str] = context.render_context.setdefault("audit_names", {})
    key = (found.related_model, value)
    if key not in names:
        try:
            target = found.related_model._default_manager.filter(pk=value).first()
        except (ValueError, TypeError, ValidationError):  # a code stored, not a key
            target = None
        names[key] = str(target) if target is not None else str(value)
    return names[key]


@register.simple_tag(takes_context=True)
def audit_names(context: Any, events: Any) -> str:
    """Look up the names :func:`audit_value` shows for the related records the changes
    of ``events`` name: one query per related model for the whole table, not one per
    record named (a page of 50 transfers names 100 people and units). Writes nothing."""
    names: dict[tuple[Any, Any], str] = context.render_context.setdefault("audit_names", {})
    wanted: dict[Any, dict[Any, Any]] = {}
    for event in events:
        for field, before, after in event.changes():
            found = _field_of(event, field)
            if (
                not isinstance(found, models.ForeignKey)
                or found.related_model is None
                or found.choices
            ):
                continue
            model = found.related_model
            for value in (before, after):
                if value is None or value == "" or isinstance(value, dict | list | bool):
                    continue
                if (model, value) in names:
                    continue
                try:
                    wanted.setdefault(model, {})[value] = model._meta.pk.to_python(value)
                except (ValueError, TypeError, ValidationError):  # a code stored, not a key
                    continue
    for model, keys in wanted.items():
        try:
            found_rows = model._default_manager.in_bulk(set(keys.values()))
        except (ValueError, TypeError, ValidationError):
            continue  # left to audit_value, one by one
        for value, pk in keys.items():
            target = found_rows.get(pk)
            names[(model, value)] = str(target) if target is not None else str(value)
    return ""


def _plain(value: Any) -> str:
    if isinstance(value, bool):  # a switch in a snapshot: not Python's True and False
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return "—" if value is None else _number(value) or str(value)


_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")


def _number(value: Any, *, always: bool = False) -> str | None:
    """A number stored in an audit event (an amount is text there: ``"1543800.00"``) with
    its thousands grouped in the reader's language and its decimals as stored; ``None``
    for what is not a number. Unless ``always``, only a number of 5 digits or more before
    the point: a year (2026), a version or a count of cells reads as it is."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    text = str(value)
    found = _NUMBER.fullmatch(text)
    if found is None:
        return None
    number = Decimal(text)
    if not always and abs(number) < 10_000:
        return None
    return number_format(number, len(found.group(1) or ""), force_grouping=True)


@register.simple_tag
def chart(option: dict[str, Any], name: str, label: str) -> str:
    """A chart drawn by charts.js from ``option`` (attain.web.charts), with ``label`` as
    its accessible name; the page gives its figures as text too (a table beside it)."""
    data_id = f"chart-{name}-data"
    return format_html(
        '<div class="chart" id="chart-{}" role="img" aria-label="{}" data-chart="{}"></div>{}',
        name,
        label,
        data_id,
        json_script(option, data_id),
    )


@register.simple_tag
def picker(kind: str, name: str, list_id: str) -> str:
    """The attributes that turn a hand-written ``<input name=name>`` into a picker of
    ``kind``; the template adds ``<datalist id=list_id></datalist>`` after it."""
    attrs = picker_attrs(kind, name, list_id)
    return format_html_join(" ", '{}="{}"', attrs.items())


IGNORED_PARAMETERS = frozenset({"page", "period", "plan", "measure", "lang"})


@register.simple_tag(takes_context=True)
def filtered(context: Any) -> bool:
    """The page shows a narrowed list: its query string sets a filter (anything but the
    page number and the period, plan or measure it is about)."""
    request = context.get("request")
    if request is None:
        return False
    return any(value for key, value in request.GET.items() if key not in IGNORED_PARAMETERS)


@register.simple_tag
def colon() -> str:
    """The colon after a label, in the reader's language (``Reason: …``, ``原因：…``):
    a template writing ``{% translate "Reason" %}: `` put an English colon and space
    after the Chinese word."""
    return pgettext("after a label", ": ")
