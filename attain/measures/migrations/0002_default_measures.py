"""The measures most sales organisations start with (attain.measures.defaults)."""

from django.db import migrations

from attain.measures.defaults import default_fields


def create(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    if Measure.objects.exists():
        return
    Measure.objects.bulk_create(Measure(**fields) for fields in default_fields())


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
