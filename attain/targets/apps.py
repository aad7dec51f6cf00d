from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class TargetsConfig(appconfig.ConnectingConfig):
    name = "attain.targets"
    label = "targets"
    verbose_name = _("Targets")
    connects = ".notices"  # daily reminders through attain.notify
