"""Customers' duplicate keys computed again: the name key now reads “CO.,LTD.” like
“Co., Ltd.” (both are the legal suffix), and rows renamed in Django admin before admin
kept their keys in step get keys of their present name, phone and email."""

from django.db import migrations

from attain.crm import dedupe


def recompute_keys(apps, schema_editor):
    Customer = apps.get_model("crm", "Customer")
    batch = []
    for customer in Customer.objects.iterator(chunk_size=1000):
        keys = (
            dedupe.name_key(customer.name),
            dedupe.phone_key(customer.phone),
            dedupe.email_key(customer.email),
        )
        if keys != (customer.name_key, customer.phone_key, customer.email_key):
            customer.name_key, customer.phone_key, customer.email_key = keys
            batch.append(customer)
        if len(batch) >= 1000:
            Customer.objects.bulk_update(batch, ["name_key", "phone_key", "email_key"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["name_key", "phone_key", "email_key"])


class Migration(migrations.Migration):
    dependencies = [("crm", "0008_reminder_params")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop)]
