from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a login may do and see. Visibility of people's data follows from it."""

    ADMIN = "admin", _("Administrator")
    SALES_OPS = "sales_ops", _("Sales operations")
    FINANCE = "finance", _("Finance")
    EXECUTIVE = "executive", _("Executive")
    MANAGER = "manager", _("Sales manager")
    REP = "rep", _("Sales representative")


# Roles that see every person's data. Executives see all but change nothing.
ORGANISATION_WIDE_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})
# Roles that may change organisation data (units, people, reporting lines).
ORGANISATION_EDITOR_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})
# Roles that may read the audit trail.
AUDIT_READER_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)
