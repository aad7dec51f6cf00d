"""A sensible default funnel and follow-up rule, created only when no stage exists
(companies change it in Django admin afterwards)."""

from decimal import Decimal

from django.db import migrations

DEFAULT_FUNNEL = [
    # code, name, position, probability, kind, required activity
    ("lead", "线索", 1, "0.10", "open", ""),
    ("qualify", "需求确认", 2, "0.20", "open", ""),
    ("solution", "方案", 3, "0.40", "open", ""),
    ("quote", "报价", 4, "0.60", "open", "visit"),
    ("negotiate", "谈判", 5, "0.80", "open", ""),
    ("won", "赢单", 6, "1.00", "won", ""),
    ("lost", "输单", 7, "0.00", "lost", ""),
]


def create_default_funnel(apps, schema_editor):
    Stage = apps.get_model("crm", "Stage")
    FollowUpRule = apps.get_model("crm", "FollowUpRule")
    if Stage.objects.exists():
        return
    stages = {}
    for code, name, position, probability, kind, required in DEFAULT_FUNNEL:
        stages[code] = Stage.objects.create(
            code=code,
            name=name,
            position=position,
            probability=Decimal(probability),
            kind=kind,
            required_activity=required,
        )
    if not FollowUpRule.objects.exists():
        FollowUpRule.objects.create(stage=stages["lead"], days=7, active=True)


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(create_default_funnel, migrations.RunPython.noop)]
