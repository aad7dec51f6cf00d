from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from attain.audit.admin import AuditedAdminMixin

from . import company, services_company
from .models import Assignment, CompanySettings, Person, Unit


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "parent", "opened", "closed")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "person"
    extra = 0
    autocomplete_fields = ("unit", "manager")
    # Effective-dated history is changed through the transfer form, which validates
    # cycles and dates; here it is shown read-only.
    readonly_fields = ("unit", "manager", "title", "valid_from", "valid_to")
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "email", "start", "end", "user")
    search_fields = ("code", "name", "email")
    list_filter = ("start", "end")
    raw_id_fields = ("user",)
    inlines = [AssignmentInline]


def _label(name: str) -> Any:
    return getattr(CompanySettings._meta.get_field(name), "verbose_name", name)


class CompanySettingsForm(forms.ModelForm):
    # as in the set-up wizard: months and languages to choose, not a number and JSON
    fiscal_year_start = forms.TypedChoiceField(
        label=_label("fiscal_year_start"), coerce=int, choices=list(MONTHS.items())
    )
    languages = forms.MultipleChoiceField(
        label=_label("languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_label("language"), choices=settings.LANGUAGES)

    class Meta:
        model = CompanySettings
        fields = services_company.EDITABLE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services_company.clean_company(
                name=data.get("name"),
                fiscal_year_start=data.get("fiscal_year_start"),
                currency=data.get("currency"),
                time_zone=data.get("time_zone"),
                languages=data.get("languages") or (),
                language=data.get("language"),
                stored_currency=self.instance.currency if self.instance.pk else "",
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        # as on the settings page: fixed once plans, targets, results or payouts exist
        moved = [
            name
            for name in services_company.COUNTING_FIELDS
            if str(data.get(name, "")).upper() != str(self.initial.get(name, "")).upper()
        ]
        fixed = services_company.fixed_settings(self.instance.currency) if moved else {}
        for name in moved:
            if name in fixed:
                self.add_error(name, fixed[name])
        return data


@admin.register(CompanySettings)
class CompanySettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The one row the first-run setup stored: changed here, never added or deleted."""

    form = CompanySettingsForm
    list_display = ("name", "fiscal_year_start", "currency", "time_zone", "language")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        obj.currency = obj.currency.upper()
        super().save_model(request, obj, form, change)
        company.forget()
        # What is stored was counted with the settings of its day: say what to redo.
        changed = form.changed_data if change else []
        if "fiscal_year_start" in changed:
            messages.warning(
                request,
                _(
                    "The fiscal year now starts in %(month)s. Results, targets and pay "
                    "periods calculated before still follow the old fiscal year: "
                    "recalculate each fiscal year in use (Incentive plans → Recalculate) "
                    "and check the target plans."
                )
                % {"month": MONTHS[obj.fiscal_year_start]},
            )
        if "time_zone" in changed:
            old_zone = form.initial.get("time_zone", "")
            messages.warning(request, services_company.time_zone_note(old_zone, obj.time_zone))
