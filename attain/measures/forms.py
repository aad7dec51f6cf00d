from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.crm.records import RECORD_TABLES

from .models import Measure
from .services import measure_problems


def table_choices() -> list[tuple[str, str]]:
    """The record tables by the names their readers know (the models' plural names)."""
    from django.apps import apps

    models = {
        "orders": "Order",
        "order_lines": "OrderLine",
        "payments": "Payment",
        "activities": "Activity",
        "customers": "Customer",
        "opportunities": "Opportunity",
        "tickets": "ServiceTicket",
        "surveys": "Survey",
        "training": "TrainingScore",
        "peer_ratings": "PeerRating",
    }
    choices = []
    for table in RECORD_TABLES:
        try:
            label = str(apps.get_model("crm", models[table])._meta.verbose_name_plural)
        except (KeyError, LookupError):
            label = table
        choices.append((table, label))
    return choices


class MeasureForm(forms.ModelForm):
    """A measure, for the measures page and the admin. The engine's scenario loader
    checks it, as it does in a scenario file."""

    table = forms.ChoiceField(label=_("record table"), choices=table_choices)

    class Meta:
        model = Measure
        fields = [
            "code",
            "name",
            "description",
            "table",
            "value",
            "where",
            "agg",
            "date_field",
            "person_field",
            "money",
            "rollup",
            "higher_is_better",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # plans, targets and results name a measure by its code: it never changes
            self.fields["code"].disabled = True

    def _post_clean(self) -> None:
        super()._post_clean()  # builds self.instance from the cleaned data
        for field, messages in measure_problems(self.instance).items():
            self.add_error(field if field in self.fields else None, messages)
