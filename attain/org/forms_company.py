"""The company's settings as a form: the first-run setup's company step
(:mod:`attain.core.setup`) and the settings page (:func:`attain.org.views.company_settings`)
ask the same fields the same way."""

from __future__ import annotations

import json
from typing import Any

from babel import Locale
from babel.numbers import get_currency_name
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy

from . import company as company_module
from .models import CompanySettings


def _babel_locale() -> Locale:
    return Locale.parse((translation.get_language() or "en").replace("-", "_"), sep="_")


def _as_seen(value: Any) -> Any:
    """``value`` compared as the page carried it (JSON: a month stays a number); the
    languages offered in any order (the boxes post them in the page's order, the API
    may have stored another): the same languages are no change."""
    value = json.loads(json.dumps(value))
    return sorted(value, key=str) if isinstance(value, list) else value


class CompanyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Company name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the company's name.")},
    )
    fiscal_year_start = forms.TypedChoiceField(
        label=gettext_lazy("Fiscal year starts in"),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose the month the fiscal year starts in.")},
        help_text=gettext_lazy(
            "The first month of the fiscal year: its quarters, halves and targets follow it."
        ),
    )
    # ISO 4217 codes and IANA zone names are identifiers: shown as code (.mono), in every
    # language (the Chinese page is not an English one for listing Asia/Shanghai)
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency"),
        widget=forms.Select(attrs={"class": "mono"}),
        error_messages={"required": gettext_lazy("Choose the currency.")},
        help_text=gettext_lazy("The currency of plans, payouts and exports."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        widget=forms.Select(attrs={"class": "mono"}),
        error_messages={"required": gettext_lazy("Choose the time zone.")},
        help_text=gettext_lazy("Days, months and deadlines are counted in this time zone."),
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages offered"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one language to offer.")},
        help_text=gettext_lazy("The languages people may choose."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["fiscal_year_start"]
        field.choices = [(number, name) for number, name in MONTHS.items()]
        locale = _babel_locale()
        currency: Any = self.fields["currency"]
        currency.choices = [
            (code, f"{code} · {get_currency_name(code, locale=locale)}")
            for code in company_module.currencies()
        ]
        zone: Any = self.fields["time_zone"]
        zone.choices = [(name, name) for name in company_module.time_zones()]


class CompanySettingsForm(CompanyForm):
    """The settings page: every setting, and a reason for the audit trail. ``fixed``
    maps the settings that may no longer change to the sentence saying why: they are
    shown, not sent (:func:`attain.org.services_company.fixed_reason`)."""

    language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        choices=settings.LANGUAGES,
        help_text=gettext_lazy(
            "For whoever has not chosen a language and whose browser asks for none of "
            "the languages offered."
        ),
    )
    plan_four_eyes = forms.BooleanField(
        label=gettext_lazy("Four eyes on plan approval"),
        help_text=CompanySettings._meta.get_field("plan_four_eyes").help_text,
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (for the audit trail)"), required=False, max_length=500
    )
    # the settings as the page showed them (JSON): only what the editor changed is saved
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def seen_values(self) -> dict[str, Any] | None:
        """The settings as the editor saw them, or None (a form without them)."""
        try:
            found = json.loads(self.cleaned_data.get("seen") or "null")
        except ValueError:
            return None
        return found if isinstance(found, dict) else None

    def edits(self) -> dict[str, Any]:
        """What the editor changed: the settings they sent that differ from what they
        saw (every setting sent, when the form does not say what was seen)."""
        sent = {k: v for k, v in self.cleaned_data.items() if k not in ("reason", "seen")}
        seen = self.seen_values()
        if seen is None:
            return sent
        return {k: v for k, v in sent.items() if _as_seen(v) != _as_seen(seen.get(k))}

    def __init__(self, *args: Any, fixed: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed = fixed
        # the company's own currency, stored by an older version that offered it (a
        # 3-place dinar, a historic code): shown as it is, and kept when sent unchanged
        stored = str(self.initial.get("currency") or "")
        currency: Any = self.fields["currency"]
        if stored and stored not in dict(currency.choices):
            name = get_currency_name(stored, locale=_babel_locale())
            currency.choices = [(stored, f"{stored} · {name}"), *currency.choices]
        for name, why in fixed.items():
            self.fields[name].disabled = True
            self.fields[name].help_text = why
