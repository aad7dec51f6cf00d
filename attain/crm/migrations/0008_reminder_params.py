"""Reminders keep their parameters (``params``), not only a finished sentence, so they are
written out in the reader's language (issue 12)."""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

TEXT = "%(customer)s · %(name)s: no contact for %(days)s days in stage %(stage)s."


def sentences(params):
    """The reminder's sentence in each language Attain speaks."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(translation.gettext(TEXT) % params)
    return found


def fill_params(apps, schema_editor):
    """Reminders raised before they kept their parameters get them from their rule and
    opportunity, so they too are shown in the reader's language, when those still give
    the stored sentence; ``message`` stays as it was (the fallback for the others)."""
    Reminder = apps.get_model("crm", "Reminder")
    rows = Reminder.objects.select_related(
        "rule__stage", "opportunity__customer"
    )
    batch = []
    for reminder in rows.iterator(chunk_size=500):
        params = {
            "customer": reminder.opportunity.customer.name,
            "name": reminder.opportunity.name,
            "days": reminder.rule.days,
            "stage": reminder.rule.stage.name,
        }
        if reminder.message not in sentences(params):
            continue  # the rule, stage or names changed since: keep the stored sentence
        reminder.params = params
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
