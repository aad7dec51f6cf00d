from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "attain.core"
    label = "core"
    verbose_name = _("Attain")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers Attain's system checks)
