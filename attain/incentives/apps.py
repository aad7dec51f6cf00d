from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class IncentivesConfig(appconfig.ConnectingConfig):
    name = "attain.incentives"
    label = "incentives"
    verbose_name = _("Performance and incentives")
    connects = ".signals"
