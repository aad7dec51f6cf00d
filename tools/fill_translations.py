#!/usr/bin/env python3
"""Fill a Django .po catalogue from a Python mapping of msgid → translation.

Usage: fill_translations.py CATALOGUE.po MAPPING.py
MAPPING.py defines ZH (msgid → str) and PLURALS (singular msgid → str). Entries that
already have a translation are kept; untranslated ones left over are listed.
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, mapping_path: str) -> int:
    mapping = runpy.run_path(mapping_path)
    with open(po_path, "rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            text = mapping["PLURALS"].get(message.id[0])
            if text and not any(message.string):
                message.string = (text,)
        elif not message.string:
            message.string = mapping["ZH"].get(message.id, "")
        if message.fuzzy:
            message.flags.discard("fuzzy")
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(message.id)
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=100)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
