"""Hand-off tickets Attain opened keep no sentence, so they are written out in the
reader's language (``ServiceTicket.text``): the stored sentence of older ones is cleared
when it is that sentence in one of Attain's languages (a summary edited since stays)."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

TEXT = "Order %(order)s won by %(owner)s: deliver and onboard."


def clear_sentences(apps, schema_editor):
    ServiceTicket = apps.get_model("crm", "ServiceTicket")
    rows = ServiceTicket.objects.filter(kind="handoff", order__isnull=False).exclude(summary="")
    batch = []
    for ticket in rows.select_related("order__owner").iterator(chunk_size=500):
        params = {"order": ticket.order.external_id, "owner": ticket.order.owner.name}
        sentences = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                sentences.add(translation.gettext(TEXT) % params)
        if ticket.summary in sentences:
            ticket.summary = ""
            batch.append(ticket)
        if len(batch) >= 500:
            ServiceTicket.objects.bulk_update(batch, ["summary"])
            batch = []
    if batch:
        ServiceTicket.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [("crm", "0009_customer_keys_again")]

    operations = [migrations.RunPython(clear_sentences, migrations.RunPython.noop)]
