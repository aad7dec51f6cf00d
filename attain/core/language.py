"""The language of the `attain` command's messages, read from the environment (no
Django: `attain` reads it before it starts Django)."""

from __future__ import annotations

import os
from collections.abc import Mapping


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the commands' messages: ``ATTAIN_LANGUAGE`` when set (``zh-hans``,
    ``en`` or a locale name), else the locale's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
    the first set, as the C library reads them): Chinese (``zh_CN.UTF-8``, ``zh_SG``,
    ``zh-hans``) is ``zh-hans``, anything else English."""
    env = os.environ if environ is None else environ
    names = ("ATTAIN_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
    chosen = next((env[name] for name in names if env.get(name, "").strip()), "")
    language = chosen.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if language in ("zh", "zh-cn", "zh-sg", "zh-hans", "zh-hans-cn"):
        return "zh-hans"
    return "en"
