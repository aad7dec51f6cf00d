"""Customers' phone keys computed again: the duplicate check now reads a phone as the
integrity scans do (one normaliser in the engine), so a landline is keyed by its local
number (``010-62345678`` and ``62345678`` are the same phone) and ``0086 10 …`` like
``010 …``."""

from django.db import migrations

from attain.crm import dedupe


def recompute_phone_keys(apps, schema_editor):
    Customer = apps.get_model("crm", "Customer")
    batch = []
    for customer in Customer.objects.exclude(phone="").only("pk", "phone", "phone_key").iterator(
        chunk_size=1000
    ):
        key = dedupe.phone_key(customer.phone)
        if key != customer.phone_key:
            customer.phone_key = key
            batch.append(customer)
        if len(batch) >= 1000:
            Customer.objects.bulk_update(batch, ["phone_key"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["phone_key"])


class Migration(migrations.Migration):
    dependencies = [("crm", "0010_handoff_summary_in_reader_language")]

    operations = [migrations.RunPython(recompute_phone_keys, migrations.RunPython.noop)]
