"""One index less for every audit event (an import writes one per row): the index on
(object type, object id, time) serves lookups by the object type alone too.

Dropped by name, not by altering the field: on SQLite that would rebuild the table, and
the append-only triggers (0004) with it."""

import django.db.models.deletion
from django.db import migrations, models

NAME = "audit_auditevent_content_type_id_cddb36fd"


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_append_only_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{NAME}"',
                    reverse_sql=f'CREATE INDEX "{NAME}" ON "audit_auditevent" ("content_type_id")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="object type",
                    ),
                ),
            ],
        ),
    ]
