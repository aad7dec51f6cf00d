"""One index less for every order and payment an import writes (the composite index on
the person and the date serves lookups by the person alone), and orders index their
opportunity and product line only where they have one (most have none).

The indexes are dropped by name, not by altering the fields: on SQLite altering a field
rebuilds the table (a copy of every order, four times over)."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = {  # index: how it was made (for going back)
    "crm_order_owner_id_4c22bafa": 'ON "crm_order" ("owner_id")',
    "crm_order_opportunity_id_4dc9a423": 'ON "crm_order" ("opportunity_id")',
    "crm_order_product_line_id_16e84083": 'ON "crm_order" ("product_line_id")',
    "crm_payment_collector_id_bab19913": 'ON "crm_payment" ("collector_id")',
}


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0012_customer_phone_keys_extensions"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', reverse_sql=f'CREATE INDEX "{name}" {made}'
                )
                for name, made in DROPPED.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="opportunity",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="orders",
                        to="crm.opportunity",
                        verbose_name="opportunity",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="org.person",
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="product_line",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="crm.productline",
                        verbose_name="product line",
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="collector",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="org.person",
                        verbose_name="collector",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("opportunity__isnull", False)),
                fields=["opportunity"],
                name="crm_order_opportunity",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("product_line__isnull", False)),
                fields=["product_line"],
                name="crm_order_product_line",
            ),
        ),
    ]
