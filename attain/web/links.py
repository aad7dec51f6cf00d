"""The address people reach Attain at, as commands take it (``--base-url``)."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit


def base_url(text: str) -> str:
    """An argparse type: ``https://attain.example.com`` (http or https and a host).
    A typo such as ``attain.example.com`` made every link in the mail a dead one."""
    value = text.strip().rstrip("/")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an address such as https://attain.example.com"
        )
    return value
