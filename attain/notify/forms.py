from __future__ import annotations

from typing import Any

from django import forms

from .kinds import DEFAULT_CHANNELS, KINDS
from .models import Channel, Preference, Profile

CHOSEN_KINDS = [k for k in KINDS if k != "test"]


def switch_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class SettingsForm(forms.ModelForm):
    """Language, digest, personal webhook, and one box per kind × channel."""

    webhook_url = forms.URLField(
        label=Profile._meta.get_field("webhook_url").verbose_name,
        required=False,
        max_length=500,
        assume_scheme="https",
    )

    class Meta:
        model = Profile
        fields = ["language", "digest", "webhook_platform", "webhook_url", "webhook_secret"]
        widgets = {"webhook_secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=user)}
        for kind in CHOSEN_KINDS:
            for channel in Channel.values:
                self.fields[switch_name(kind, channel)] = forms.BooleanField(
                    required=False,
                    initial=chosen.get((kind, channel), channel in DEFAULT_CHANNELS),
                    label=f"{KINDS[kind].label} · {Channel(channel).label}",
                )

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
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


CHANNEL_LABELS = [Channel(c).label for c in Channel.values]
