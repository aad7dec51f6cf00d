"""Django's admin site, open only to administrators as Attain's role rule has them
(:func:`attain.org.selectors.role_of`): a staff login whose person has left is refused.
INSTALLED_APPS names :class:`AdminConfig` in place of ``django.contrib.admin``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AttainAdminSite(admin.AdminSite):
    # Attain's name, in the reader's language (Django's own read "Django 站点管理员")
    site_title = _("Attain administration")
    site_header = _("Attain administration")
    index_title = _("Data administration")

    def has_permission(self, request: HttpRequest) -> bool:
        from attain.accounts.models import Role  # models: not while the apps load
        from attain.org.selectors import role_of

        return super().has_permission(request) and role_of(request.user) == Role.ADMIN


class AdminConfig(BaseAdminConfig):
    default_site = "attain.core.admin_site.AttainAdminSite"
