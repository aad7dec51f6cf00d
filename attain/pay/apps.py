from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayConfig(AppConfig):
    name = "attain.pay"
    label = "pay"
    verbose_name = _("Pay governance")
