from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: backup and restore, and a flush that knows the audit triggers."""

    name = "attain.ops"
    label = "ops"
    verbose_name = _("Operations")
