"""The `attain` command.

`attain scenario ...` and `attain bench ...` run the calculation engine directly and
never start Django, so they stay fast and work without a database. Every other
subcommand is a Django management command (`attain migrate`, `attain runserver`,
`attain demo load`, `attain import ...`), run with Attain's settings.
"""

from __future__ import annotations

import os
import sys

ENGINE_COMMANDS = {"scenario", "bench"}
ENGINE_HELP = """
[engine] (no database; `attain scenario --help`, `attain bench engine --help`)
    bench
    scenario"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_COMMANDS:
        from attain.engine.cli import main as engine_main

        return engine_main(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the environment (config/settings.py)
    except ImproperlyConfigured as error:  # a setting that cannot be used: one line
        print(f"attain: {error}", file=sys.stderr)
        return 2

    execute_from_command_line(["attain", *args])
    if args in ([], ["help"], ["--help"], ["-h"]):  # Django listed its own commands
        print(ENGINE_HELP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
