"""The measures most sales organisations start with, over the CRM loader's tables."""

from django.db import migrations

DEFAULTS = [
    # code, name, table, value, where, agg, person field, higher is better
    ("revenue", "销售额 Revenue", "orders", "amount", "status == 'confirmed'", "sum", "owner", True),
    ("collected", "回款 Collections", "payments", "amount", "", "sum", "collector", True),
    ("new_customers", "新客户 New customers", "customers", "1", "", "count", "owner", True),
    ("visits", "拜访 Visits", "activities", "1", "kind == 'visit'", "count", "owner", True),
    ("activities", "客户活动 Activities", "activities", "1", "", "count", "owner", True),
    ("satisfaction", "客户满意度 Satisfaction", "surveys", "score", "", "avg", "owner", True),
    ("complaints", "投诉 Complaints", "tickets", "1", "kind == 'complaint'", "count", "owner", False),
    ("training", "培训成绩 Training", "training", "score", "", "avg", "owner", True),
    ("collaboration", "协作评分 Collaboration", "peer_ratings", "score", "", "avg", "owner", True),
]


def create(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    if Measure.objects.exists():
        return
    Measure.objects.bulk_create(
        Measure(
            code=code, name=name, table=table, value=value, where=where, agg=agg,
            person_field=person, higher_is_better=higher,
            money=False if agg != "sum" or value != "amount" else None,
        )
        for code, name, table, value, where, agg, person, higher in DEFAULTS
    )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
