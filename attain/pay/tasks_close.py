"""Background work of period close (django-tasks): freezing a period."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task


@task()
def close_task(pay_period_id: int, language: str = "") -> None:
    """Freeze a period, writing its stages and any refusal in the language of the
    login who asked (:func:`attain.notify.delivery.worker_language`; ``language``: the
    page's when they asked), not the worker's."""
    from attain.notify.delivery import worker_language

    from .models_close import PayPeriod
    from .services_close import run_close

    asked_by = PayPeriod.objects.filter(pk=pay_period_id).values_list("requested_by", flat=True)
    with translation.override(worker_language(asked_by.first(), language)):
        run_close(pay_period_id)
