from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "attain.incentives"
    label = "incentives"
    verbose_name = _("Performance and incentives")

    def ready(self) -> None:
        from .signals import connect

        connect()
