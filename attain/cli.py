"""The `attain` command.

`attain scenario ...` and `attain bench ...` run the calculation engine directly and
never start Django, so they stay fast and work without a database. Every other
subcommand is a Django management command (`attain migrate`, `attain runserver`,
`attain demo load`, `attain import ...`), run with Attain's settings, their messages in
the language of the environment (:func:`attain.core.language.cli_language`; the engine's
stay English: it never imports Django, so it has no catalogue).
"""

from __future__ import annotations

import os
import select
import sys

from attain.core.language import cli_language

ENGINE_COMMANDS = {"scenario", "bench"}
ENGINE_HELP = """
[engine] (no database; `attain scenario --help`, `attain bench engine --help`)
    bench
    scenario"""


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        if not _stdout_gone():
            raise  # another pipe or socket broke: the command's own error, shown
        # the reader went away (`attain scenario run F | head`): stop quietly, as any Unix
        # tool does, and send what Python still flushes at exit nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _stdout_gone() -> bool:
    """Whether standard output's reader has gone (a pipe whose other end is closed
    reports an error when polled); True where that cannot be asked (no poll)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (AttributeError, OSError, ValueError):
        return True
    return any(event & (select.POLLERR | select.POLLHUP) for _fd, event in events)


def _main(argv: list[str] | None) -> int:
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

    import django
    from django.db import DatabaseError
    from django.utils import translation

    django.setup()  # the catalogues are the apps': read once the apps are loaded
    translation.activate(cli_language())

    try:
        execute_from_command_line(["attain", *args])
    except DatabaseError:
        problem = _database_not_ready(migrating=args[:1] == ["migrate"])
        if problem is None:  # the database is there and up to date: a fault of ours
            raise
        print(f"attain: {problem}", file=sys.stderr)
        return 2
    if args in ([], ["help"], ["--help"], ["-h"]):  # Django listed its own commands
        print(ENGINE_HELP)
    return 0


def _database_not_ready(*, migrating: bool = False) -> str | None:
    """Why the database cannot serve a command (cannot be reached, or not migrated), for
    one line instead of a traceback; None when it is fine (the error is another, or a
    migration itself failed: its traceback is what to look at)."""
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.close()
        connection.ensure_connection()
    except DatabaseError as error:  # the message names host and user, never a password
        first = (str(error).strip().splitlines() or [""])[0]
        return _("cannot connect to the database (%(vendor)s): %(error)s") % {
            "vendor": connection.vendor,
            "error": first,
        }
    if migrating:
        return None
    try:
        executor = MigrationExecutor(connection)
        missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return None
    if missing:
        return ngettext(
            "the database is not set up (%(count)d migration not applied): "
            "run `attain migrate` first",
            "the database is not set up (%(count)d migrations not applied): "
            "run `attain migrate` first",
            len(missing),
        ) % {"count": len(missing)}
    return None


if __name__ == "__main__":
    sys.exit(main())
