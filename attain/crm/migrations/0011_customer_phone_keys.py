"""Customers' phone keys computed again: the duplicate check now reads a phone as the
integrity scans do (one normaliser in the engine), so a landline is keyed by its local
number (``010-62345678`` and ``62345678`` are the same phone) and ``0086 10 …`` like
``010 …``.

Read as plain rows, a few thousand at a time; each changed key written by its id
(``executemany``), not with ``bulk_update``, whose ``CASE WHEN id = …`` over each batch
the database evaluates row by row (100,000 landlines: 137 s on SQLite)."""

from django.db import connections, migrations

from attain.crm import dedupe

BATCH = 2000


def recompute_phone_keys(apps, schema_editor):
    Customer = apps.get_model("crm", "Customer")
    alias = schema_editor.connection.alias if schema_editor is not None else "default"
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(Customer._meta.db_table)
    column, id_column = quote("phone_key"), quote(Customer._meta.pk.column)
    sql = f"UPDATE {table} SET {column} = %s WHERE {id_column} = %s"
    rows = (
        Customer.objects.using(alias)
        .exclude(phone="")
        .order_by()
        .values_list("pk", "phone", "phone_key")
        .iterator(chunk_size=BATCH)
    )
    changed = []
    with connection.cursor() as cursor:
        for pk, phone, stored in rows:
            key = dedupe.phone_key(phone)
            if key != stored:
                changed.append((key, pk))
            if len(changed) >= BATCH:
                cursor.executemany(sql, changed)
                changed = []
        if changed:
            cursor.executemany(sql, changed)


class Migration(migrations.Migration):
    dependencies = [("crm", "0010_handoff_summary_in_reader_language")]

    operations = [migrations.RunPython(recompute_phone_keys, migrations.RunPython.noop)]
