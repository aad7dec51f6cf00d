"""Customers' phone keys computed again: a phone field holding two numbers
(``0769-8888 1234；186 1234 5678``) is keyed by each number, space-separated
(``88881234 18612345678``), not by the digits of both run together; a placeholder
(``0000000``) or a fragment of fewer than 7 digits gives no key."""

from importlib import import_module

from django.db import migrations

recompute_phone_keys = import_module(
    "attain.crm.migrations.0011_customer_phone_keys"
).recompute_phone_keys


class Migration(migrations.Migration):
    dependencies = [("crm", "0013_fewer_indexes")]

    operations = [migrations.RunPython(recompute_phone_keys, migrations.RunPython.noop)]
