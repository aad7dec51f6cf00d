"""Reminders keep their parameters (``params``), not only a finished sentence, so they are
written out in the reader's language (issue 12)."""

from django.db import migrations, models


def fill_params(apps, schema_editor):
    """Reminders raised before they kept their parameters get them from their rule and
    opportunity, so they too are shown in the reader's language; ``message`` stays as it
    was (the fallback for a row whose parameters cannot be had)."""
    Reminder = apps.get_model("crm", "Reminder")
    rows = Reminder.objects.select_related(
        "rule__stage", "opportunity__customer"
    )
    batch = []
    for reminder in rows.iterator(chunk_size=500):
        reminder.params = {
            "customer": reminder.opportunity.customer.name,
            "name": reminder.opportunity.name,
            "days": reminder.rule.days,
            "stage": reminder.rule.stage.name,
        }
        batch.append(reminder)
        if len(batch) >= 500:
            Reminder.objects.bulk_update(batch, ["params"])
            batch = []
    Reminder.objects.bulk_update(batch, ["params"])


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0007_verification'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminder',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='parameters'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='message',
            field=models.CharField(blank=True, max_length=300, verbose_name='message'),
        ),
        migrations.RunPython(fill_params, migrations.RunPython.noop),
    ]
