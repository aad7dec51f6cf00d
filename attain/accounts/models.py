from __future__ import annotations

import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
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
# Roles that may change the company's settings (name, fiscal year, currency, time zone,
# languages, four eyes on plan approval): what every plan and payout is counted in.
COMPANY_SETTINGS_ROLES = frozenset({Role.ADMIN})


def folded_username(username: str) -> str:
    """A username as sign-in compares it: NFKC (full-width letters as typed through a
    Chinese input method are the plain ones) and case-folded."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


class LoginManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        """The login of a username as typed at sign-in: its exact spelling, else the one
        login it names whatever the case or width (logins are created unique that way;
        of two older ones differing only in case, neither is guessed)."""
        typed = unicodedata.normalize("NFKC", username or "").strip()
        try:
            return self.get(username=typed)
        except self.model.DoesNotExist:
            try:
                return self.get(username__iexact=typed)
            except self.model.MultipleObjectsReturned:
                raise self.model.DoesNotExist(typed) from None


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)

    objects = LoginManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)
