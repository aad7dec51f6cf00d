"""Chain the events written before the hash chain existed, in id order."""

from django.db import migrations

from attain.audit import chain


def hash_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    fields = ("id", *chain.HASHED_FIELDS)
    previous = chain.GENESIS
    last = 0
    while True:
        rows = list(
            AuditEvent.objects.using(db).filter(id__gt=last).order_by("id").values(*fields)[:2000]
        )
        if not rows:
            return
        changed = []
        for row in rows:
            previous = chain.link(previous, row)
            changed.append(AuditEvent(id=row["id"], chain_hash=previous))
        AuditEvent.objects.using(db).bulk_update(changed, ["chain_hash"])
        last = rows[-1]["id"]


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_chain_and_batch"),
    ]

    operations = [
        migrations.RunPython(hash_existing, migrations.RunPython.noop, elidable=False),
    ]
