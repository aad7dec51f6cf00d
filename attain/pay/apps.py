from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class PayConfig(appconfig.ConnectingConfig):
    name = "attain.pay"
    label = "pay"
    verbose_name = _("Pay governance")
    connects = ".payout_events"
