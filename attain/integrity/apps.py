from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "attain.integrity"
    label = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        from .signals import connect

        connect()
