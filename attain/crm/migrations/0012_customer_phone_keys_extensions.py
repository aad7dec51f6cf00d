"""Customers' phone keys computed again: an extension written after the number
(``138 0013 8000 转 123``, ``010-62345678 ext. 12``) is no longer part of the key, so the
duplicate check finds the number with and without it (as the integrity scans do)."""

from importlib import import_module

from django.db import migrations

recompute_phone_keys = import_module(
    "attain.crm.migrations.0011_customer_phone_keys"
).recompute_phone_keys


class Migration(migrations.Migration):
    dependencies = [("crm", "0011_customer_phone_keys")]

    operations = [migrations.RunPython(recompute_phone_keys, migrations.RunPython.noop)]
