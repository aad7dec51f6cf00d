from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "attain.crm"
    label = "crm"
    verbose_name = _("Customers and sales records")

    def ready(self) -> None:
        from .events import connect

        connect()
