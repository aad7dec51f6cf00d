from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from .channels import off_limits
from .kinds import DEFAULT_CHANNELS, KINDS
from .models import Channel, Language, Platform, Preference, Profile, http_address

CHOSEN_KINDS = [k for k in KINDS if k != "test"]


def switch_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


def _label(name: str) -> Any:
    return getattr(Profile._meta.get_field(name), "verbose_name", name)


class SettingsForm(forms.Form):
    """Language, digest, personal webhook, and one box per kind × channel."""

    language = forms.ChoiceField(label=_label("language"), choices=Language.choices, required=False)
    digest = forms.BooleanField(
        label=_label("digest"),
        required=False,
        help_text=getattr(Profile._meta.get_field("digest"), "help_text", ""),
    )
    webhook_platform = forms.ChoiceField(
        label=_label("webhook_platform"),
        choices=[("", "—"), *Platform.choices],
        required=False,
    )
    webhook_url = forms.URLField(
        label=_label("webhook_url"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[http_address],
    )
    webhook_secret = forms.CharField(
        label=_label("webhook_secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=True),
    )
    FIELDS = ("language", "digest", "webhook_platform", "webhook_url", "webhook_secret")

    def __init__(self, *args: Any, user: Any, profile: Profile | None, **kwargs: Any) -> None:
        if profile is not None:
            kwargs["initial"] = {name: getattr(profile, name) for name in self.FIELDS}
        super().__init__(*args, **kwargs)
        chosen = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=user)}
        for kind in CHOSEN_KINDS:
            for channel in Channel.values:
                label = f"{KINDS[kind].label} · {Channel(channel).label}"
                self.fields[switch_name(kind, channel)] = forms.BooleanField(
                    required=False,
                    initial=chosen.get((kind, channel), channel in DEFAULT_CHANNELS),
                    label=label,
                    # the table shows the box alone: its name for screen readers
                    widget=forms.CheckboxInput(attrs={"aria-label": label}),
                )

    def clean_webhook_url(self) -> str:
        """Any login sets its own webhook and the worker posts to it: not to the server
        itself (loopback) nor to link-local addresses (a cloud's metadata service)."""
        url = str(self.cleaned_data.get("webhook_url") or "")
        if url and not public_enough(url):
            raise forms.ValidationError(
                _("A webhook must be a chat platform's address, not this server's own.")
            )
        return url

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": KINDS[kind].label,
                "boxes": [self[switch_name(kind, c)] for c in Channel.values],
            }
            for kind in CHOSEN_KINDS
        ]

    def switches(self) -> dict[tuple[str, str], bool]:
        return {
            (kind, channel): bool(self.cleaned_data.get(switch_name(kind, channel)))
            for kind in CHOSEN_KINDS
            for channel in Channel.values
        }

    def fields_to_save(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


CHANNEL_LABELS = [Channel(c).label for c in Channel.values]


def public_enough(url: str) -> bool:
    """Whether a personal webhook's host is neither this machine (localhost, loopback)
    nor link-local, unspecified, multicast or reserved. Intranet addresses are allowed:
    a company may run its chat platform inside its network."""
    host = (urlsplit(url).hostname or "").rstrip(".").casefold()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: checked where it resolves, when sending (check_reachable)
    return not off_limits(address)
