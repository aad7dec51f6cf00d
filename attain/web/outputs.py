"""The file a management command writes (`attain export`, `attain pay export`, the
``--json`` of `attain integrity scan` and `attain forecast backtest`): checked before the
work starts, so a mistyped path fails at once and changes nothing, and written with a
plain message when the disk refuses. Each failure exits with status 2."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def check_output(target: str | Path, *, json: bool = False) -> None:
    """Refuse ``target`` when it is a folder or its folder does not exist. ``json``: it
    was named by the ``--json`` option (the message says so)."""
    path = Path(target)
    if path.is_dir():
        if json:
            message = _("--json %(path)s is a folder: name the file")
        else:
            message = _("%(path)s is a folder: name the file to write")
        raise CommandError(message % {"path": target}, returncode=2)
    if not path.parent.is_dir():
        raise CommandError(_("No such directory: %(path)s") % {"path": path.parent}, returncode=2)


def write_output(target: str | Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``target``; no permission or a full disk is a
    :class:`CommandError` naming the file and the reason."""
    path = Path(target)
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as error:
        raise CommandError(
            _("cannot write %(path)s: %(error)s") % {"path": target, "error": error.strerror},
            returncode=2,
        ) from None
