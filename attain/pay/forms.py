from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.crm.models import MAX_FUTURE_DAYS_LIMIT
from attain.web.fields import MONEY

from .selectors import REVIEW_TABLES


class VerifyForm(forms.Form):
    table = forms.ChoiceField(choices=[(t.table, t.label) for t in REVIEW_TABLES])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    decision = forms.ChoiceField(
        choices=[("verified", _("Verify")), ("rejected", _("Reject"))], label=_("Decision")
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: object, choices: list[int] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["ids"].choices = [(pk, str(pk)) for pk in choices or []]  # type: ignore[attr-defined]
        self.fields["ids"].error_messages["required"] = _("Choose at least one record.")


class PolicyForm(forms.Form):
    table = forms.ChoiceField(choices=[(t.table, t.label) for t in REVIEW_TABLES])
    review_own = forms.BooleanField(label=_("own records need verification"), required=False)
    max_future_days = forms.IntegerField(
        label=_("days into the future allowed"), min_value=0, max_value=MAX_FUTURE_DAYS_LIMIT
    )
    amount_ceiling = forms.DecimalField(label=_("amount ceiling"), min_value=0, **MONEY)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
