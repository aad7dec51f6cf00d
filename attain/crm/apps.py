from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class CrmConfig(appconfig.ConnectingConfig):
    name = "attain.crm"
    label = "crm"
    verbose_name = _("Customers and sales records")
    connects = ".events"
