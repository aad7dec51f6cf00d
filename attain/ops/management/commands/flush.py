"""Django's ``flush``, aware of the audit trail's append-only triggers.

A flush is a deliberate wipe of the whole database by its operator (the test runner
flushes between transactional tests). The triggers would refuse the DELETE of audit
rows, so they are dropped for the flush and recreated after it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from attain.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        present = triggers.TABLE in connection.introspection.table_names()
        if present:
            triggers.drop(connection)
        try:
            super().handle(**options)
        finally:
            if present:
                triggers.create(connection)
