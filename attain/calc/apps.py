from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class CalcConfig(appconfig.ConnectingConfig):
    name = "attain.calc"
    label = "calc"
    verbose_name = _("Calculation")
    connects = ".cache"
