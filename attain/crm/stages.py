"""The default funnel's stage names for the reader. The first data migration stores
them in Chinese (线索 → 需求确认 → …); a default stage still so named reads 线索 to a
Chinese reader and Lead to an English one. A name the company changed is shown as it is.
Free of models, so that any layer may name a stage (notices, reasons, review packs)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext_lazy

# code: the name the migration stores (attain/crm/migrations/0002_default_funnel.py)
DEFAULT_STAGE_NAMES = {
    "lead": "线索",
    "qualify": "需求确认",
    "solution": "方案",
    "quote": "报价",
    "negotiate": "谈判",
    "won": "赢单",
    "lost": "输单",
}
READER_STAGE_NAMES = {
    "lead": pgettext_lazy("funnel stage", "Lead"),
    "qualify": pgettext_lazy("funnel stage", "Qualification"),
    "solution": pgettext_lazy("funnel stage", "Solution"),
    "quote": pgettext_lazy("funnel stage", "Quote"),
    "negotiate": pgettext_lazy("funnel stage", "Negotiation"),
    "won": pgettext_lazy("funnel stage", "Won"),
    "lost": pgettext_lazy("funnel stage", "Lost"),
}
_CODES = {name: code for code, name in DEFAULT_STAGE_NAMES.items()}
STEP = " → "


def stage_name(code: str, name: str) -> str:
    """A stage's name as the reader's page shows it: a default stage still named as it
    was created in the reader's language, any other name as it is."""
    if DEFAULT_STAGE_NAMES.get(code) == name:
        return str(READER_STAGE_NAMES[code])
    return name


def stored_stage_name(name: str) -> str:
    """A stage's name kept in stored text (a notice's parameters, a review pack, a
    reason): a default stage's name in the reader's language, any other as it is."""
    code = _CODES.get(name)
    return str(READER_STAGE_NAMES[code]) if code else name


def stored_step(step: str) -> str:
    """A stored funnel step (线索 → 需求确认) with each stage named for the reader."""
    return STEP.join(stored_stage_name(part) for part in step.split(STEP))


def every_stage_name(code: str, name: str) -> list[str]:
    """The names a reader may write for a stage: as stored and, for a default stage still
    so named, its name in every language Attain speaks (Qualification, 需求确认)."""
    names = [name]
    if DEFAULT_STAGE_NAMES.get(code) == name:
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                names.append(str(READER_STAGE_NAMES[code]))
    return names
