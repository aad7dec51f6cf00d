from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalcConfig(AppConfig):
    name = "attain.calc"
    label = "calc"
    verbose_name = _("Calculation")

    def ready(self) -> None:
        from .cache import connect

        connect()
