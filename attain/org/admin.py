from django.contrib import admin

from attain.audit.admin import AuditedAdminMixin

from .models import Assignment, Person, Unit


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
