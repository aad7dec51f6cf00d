from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Notifications: in-app, email and WeCom / DingTalk / Feishu robot webhooks,
    sent by the background worker (docs/notifications.md)."""

    name = "attain.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from attain.accounts import languages

        from .delivery import chosen_language

        languages.register(chosen_language)
