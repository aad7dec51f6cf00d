from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from attain.notify import errors
from attain.notify.kinds import KINDS, link, render
from attain.notify.selectors import reader_code, unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None)) if request is not None else 0


@register.simple_tag(takes_context=True)
def rendered(context: dict[str, Any], note: Any) -> dict[str, str]:
    """A notification's title, text and link in the active language (the reader's)."""
    title, text = render(note.kind, note.params)
    reader = reader_code(getattr(context.get("request"), "user", None))
    return {"title": title, "text": text, "link": link(note.kind, note.params, reader)}


@register.filter
def delivery_error(error: str) -> str:
    """A delivery's last error (written down in English) in the reader's language."""
    return errors.describe(error or "")


@register.filter
def kind_label(code: str) -> str:
    """A notification kind by its label in the reader's language (the code if unknown).
    A digest, a delivery of its own and no kind, is named too."""
    if code == "digest":
        return _("Daily digest")
    kind = KINDS.get(code)
    return str(kind.label) if kind is not None else code
