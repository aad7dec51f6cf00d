"""Django admin for every CRM record. Changes made here are audited. The funnel (stages,
win probabilities, required activities) and follow-up rules are configured here."""

# mypy: disable-error-code="type-arg"
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from attain.audit.admin import AuditedAdminMixin

from . import dedupe, models
from .services.customers import set_customer_keys
from .services.orders import validate_shares


@admin.register(models.ProductLine)
class ProductLineAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(models.Product)
class ProductAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "line", "list_price", "active")
    list_filter = ("line", "active")
    search_fields = ("code", "name")
    list_select_related = ("line",)


class ContactInline(admin.TabularInline):
    model = models.Contact
    extra = 0
    fields = ("external_id", "name", "title", "phone", "email")


class CustomerForm(forms.ModelForm):
    """A credit code typed here is normalised and checked like one entered on the pages
    (lower case and spaces are the same code; the check digit must hold)."""

    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=40,  # spaces are removed before the 18 characters are checked
        required=False,
        help_text=_("Unified social credit code, 18 characters."),
    )

    class Meta:
        model = models.Customer
        fields = "__all__"  # noqa: DJ007 (the admin lists the fields it shows)

    def clean_credit_code(self) -> str:
        code = dedupe.normalise_credit_code(self.cleaned_data.get("credit_code") or "")
        if code and not dedupe.credit_code_is_valid(code):
            raise ValidationError(
                gettext(
                    "“%(code)s” is not a valid unified social credit code "
                    "(18 characters with a check digit)."
                )
                % {"code": code}
            )
        return code


@admin.register(models.Customer)
class CustomerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = CustomerForm
    list_display = ("name", "external_id", "credit_code", "city", "source", "owner", "merged_into")
    list_filter = ("source", "city", "created_on")
    search_fields = ("name", "external_id", "credit_code", "phone", "email")
    list_select_related = ("owner", "merged_into")
    raw_id_fields = ("owner", "merged_into")
    readonly_fields = ("name_key", "phone_key", "email_key")
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        set_customer_keys(obj)  # a renamed customer is found as a duplicate by its new name
        super().save_model(request, obj, form, change)


@admin.register(models.Contact)
class ContactAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "customer", "title", "phone", "email")
    search_fields = ("name", "phone", "email", "customer__name")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(models.Stage)
class StageAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("position", "code", "name", "probability", "kind", "required_activity")
    list_display_links = ("code",)
    list_editable = ("position", "name", "probability", "kind", "required_activity")
    ordering = ("position",)


@admin.register(models.FollowUpRule)
class FollowUpRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("stage", "days", "active")
    list_editable = ("days", "active")
    list_filter = ("active",)


class StageChangeInline(admin.TabularInline):
    model = models.StageChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_stage", "to_stage", "changed_at", "changed_by", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.Opportunity)
class OpportunityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "customer", "owner", "stage", "amount", "created_on", "closed_on")
    list_filter = ("stage", "source", "product_line")
    search_fields = ("name", "external_id", "customer__name")
    list_select_related = ("customer", "owner", "stage")
    raw_id_fields = ("customer", "owner")
    inlines = [StageChangeInline]


class EvidenceInline(admin.TabularInline):
    model = models.Evidence
    extra = 0


@admin.register(models.Activity)
class ActivityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "customer", "owner", "place")
    list_filter = ("kind",)
    search_fields = ("summary", "external_id", "customer__name", "place")
    list_select_related = ("customer", "owner")
    raw_id_fields = ("customer", "owner", "opportunity", "contact")
    date_hierarchy = "occurred_at"
    inlines = [EvidenceInline]


class OrderLineInline(admin.TabularInline):
    model = models.OrderLine
    extra = 0
    raw_id_fields = ("product",)


class CreditFormSet(forms.BaseInlineFormSet):
    """A split edited here follows the rule of the pages and the API: shares greater
    than 0 summing to 1, one row per person (no rows: the owner has it all)."""

    def clean(self) -> None:
        super().clean()
        shares: dict[Any, Decimal] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("person") is None or data.get("share") is None:
                continue
            if data["person"] in shares:
                raise ValidationError(
                    gettext("“%(code)s” appears twice in the credit")
                    % {"code": data["person"].code}
                )
            shares[data["person"]] = data["share"]
        try:
            validate_shares(shares)
        except ValidationError as error:
            raise ValidationError(error.message_dict["credits"]) from None


class CreditInline(admin.TabularInline):
    extra = 0
    raw_id_fields = ("person",)
    formset = CreditFormSet


class OrderCreditInline(CreditInline):
    model = models.OrderCredit


@admin.register(models.Order)
class OrderAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "date", "customer", "owner", "amount", "status")
    list_filter = ("status", "product_line")
    search_fields = ("external_id", "customer__name")
    list_select_related = ("customer", "owner")
    raw_id_fields = ("customer", "owner", "opportunity")
    date_hierarchy = "date"
    inlines = [OrderLineInline, OrderCreditInline]


class PaymentCreditInline(CreditInline):
    model = models.PaymentCredit


@admin.register(models.Payment)
class PaymentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "date", "customer", "collector", "amount", "order")
    search_fields = ("external_id", "customer__name")
    list_select_related = ("customer", "collector", "order")
    raw_id_fields = ("customer", "collector", "order")
    date_hierarchy = "date"
    inlines = [PaymentCreditInline]


@admin.register(models.ServiceTicket)
class ServiceTicketAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "opened_on", "customer", "kind", "status", "owner")
    list_filter = ("kind", "status")
    search_fields = ("external_id", "customer__name", "summary")
    list_select_related = ("customer", "owner")
    raw_id_fields = ("customer", "order", "owner")


@admin.register(models.Survey)
class SurveyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "date", "customer", "person", "score")
    search_fields = ("external_id", "customer__name", "person__name")
    list_select_related = ("customer", "person")
    raw_id_fields = ("customer", "person", "ticket")


@admin.register(models.TrainingScore)
class TrainingScoreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "person", "course", "score")
    search_fields = ("course", "person__name", "person__code")
    list_select_related = ("person",)
    raw_id_fields = ("person",)


@admin.register(models.PeerRating)
class PeerRatingAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "rater", "person", "score")
    search_fields = ("person__name", "rater__name")
    list_select_related = ("rater", "person")
    raw_id_fields = ("rater", "person")


@admin.register(models.Reminder)
class ReminderAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "person", "text", "done_at")
    list_filter = ("done_at",)
    search_fields = ("message", "person__name", "opportunity__name", "opportunity__customer__name")
    list_select_related = ("person",)
    raw_id_fields = ("person", "opportunity")

    @admin.display(description=_("reminder"))
    def text(self, obj: models.Reminder) -> str:
        return obj.text  # in the reader's language
