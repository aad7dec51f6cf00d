from django import forms
from django.contrib import admin

from attain.audit.admin import AuditedAdminMixin

from .models import Measure
from .services import measure_problems


class MeasureForm(forms.ModelForm):
    """The engine's scenario loader checks the measure, as it does in a scenario file."""

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

    def _post_clean(self) -> None:
        super()._post_clean()  # builds self.instance from the cleaned data
        for field, messages in measure_problems(self.instance).items():
            self.add_error(field if field in self.fields else None, messages)


@admin.register(Measure)
class MeasureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = MeasureForm
    list_display = ("code", "name", "table", "agg", "value", "where")
    search_fields = ("code", "name")
