from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class OrgConfig(appconfig.ConnectingConfig):
    name = "attain.org"
    label = "org"
    verbose_name = _("Organisation")
    connects = ".signals"
