"""Order lines get an ``external_id`` (the key of the ``order_lines`` import)."""

from django.db import migrations, models

import attain.crm.models


def fill(apps, schema_editor):
    OrderLine = apps.get_model("crm", "OrderLine")
    rows = list(OrderLine.objects.filter(external_id__isnull=True).only("pk"))
    for row in rows:
        row.external_id = attain.crm.models.new_external_id()
    OrderLine.objects.bulk_update(rows, ["external_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_default_funnel")]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="external_id",
            field=models.CharField(max_length=64, null=True, verbose_name="external id"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="orderline",
            name="external_id",
            field=models.CharField(
                default=attain.crm.models.new_external_id,
                max_length=64,
                unique=True,
                verbose_name="external id",
            ),
        ),
    ]
