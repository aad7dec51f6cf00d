from django.contrib import admin

from attain.audit.admin import AuditedAdminMixin

from .forms import MeasureForm
from .models import Measure


@admin.register(Measure)
class MeasureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = MeasureForm
    list_display = ("code", "name", "table", "agg", "value", "where")
    search_fields = ("code", "name")
