from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.accounts.models import User

from .access import REVIEW_ROLES


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(role__in=REVIEW_ROLES, is_active=True).order_by(
            "username"
        )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    hold = forms.BooleanField(label=_("Hold the payout"), required=False)
    reject_records = forms.BooleanField(
        label=_("Stop these records counting"),
        help_text=_(
            "They are rejected as finance rejects a record; the results are calculated "
            "again, and a closed period's difference is taken back as an adjustment in "
            "the next open one (a clawback)."
        ),
        required=False,
    )


class ReleaseForm(forms.Form):
    release_reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )


class ReopenForm(forms.Form):
    reopen_reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )
