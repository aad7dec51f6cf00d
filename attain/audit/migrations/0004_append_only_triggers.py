"""Database-level protection: UPDATE and DELETE of audit events fail in the database
itself, whatever client sends them (SQLite and PostgreSQL triggers).

``attain flush`` (and the test runner's flush) drops and recreates these triggers around
its wipe; see attain/ops/management/commands/flush.py.
"""

from django.db import migrations

from attain.audit import triggers


def create(apps, schema_editor):
    triggers.create(schema_editor.connection)


def drop(apps, schema_editor):
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_hash_existing_events"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
