"""Dates on the targets pages are written as the reader's language writes them (as on the
review pages), not in one fixed ``Y-m-d H:i`` for everyone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import Acknowledgement, Notification, TargetPlan

from .conftest import publish

pytestmark = pytest.mark.django_db


def page(company: Company, role: str, url: str, language: str) -> str:
    client = Client()
    client.force_login(company.users[role])
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def written(moment: object, language: str, format_name: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), format_name)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_my_targets_and_the_change_log_write_dates_in_the_readers_language(
    company: Company, plan: TargetPlan, language: str
) -> None:
    publish(company, plan)
    services.acknowledge_target(company.users["rep"], plan, "ok")
    ack = Acknowledgement.objects.get()
    notice = Notification.objects.filter(person__code="r1").first()
    assert notice is not None
    plan.refresh_from_db()
    mine = page(company, "rep", reverse("targets:mine"), language)
    assert written(ack.at, language, "SHORT_DATETIME_FORMAT") in mine
    assert written(notice.created, language, "SHORT_DATETIME_FORMAT") in mine
    changes = page(company, "sales_ops", reverse("targets:changes", args=[plan.pk]), language)
    assert written(plan.created, language, "SHORT_DATETIME_FORMAT") in changes
    assert written(plan.published, language, "SHORT_DATETIME_FORMAT") in changes


def test_a_refusal_for_the_plans_status_reads_as_a_sentence(
    company: Company, plan: TargetPlan
) -> None:
    """It read “A Approved plan cannot be changed.”; the plan's status is quoted now, as in
    the Chinese “状态为“已审批”的方案不能修改。”."""
    from django.core.exceptions import ValidationError

    services.submit_plan(company.users["sales_ops"], plan)
    services.approve_plan(company.users["executive"], plan)
    with pytest.raises(ValidationError) as refused:
        services.edit_cell(
            company.users["sales_ops"], plan, measure="revenue", who="r1", period="2026", value=1
        )
    message = refused.value.message_dict["status"][0]
    assert message == "This plan is “Approved”: it cannot be changed."
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.edit_cell(
            company.users["sales_ops"], plan, measure="revenue", who="r1", period="2026", value=1
        )
    assert refused.value.message_dict["status"][0] == "状态为“已审批”的方案不能修改。"


def test_the_blend_weight_and_over_assign_fields_are_named_in_the_readers_language(
    company: Company, plan: TargetPlan
) -> None:
    """Their tooltips and accessible names were the codes (title="history",
    aria-label="… overassign") on the Chinese page too."""
    text = page(company, "sales_ops", reverse("targets:plan", args=[plan.pk]), "zh-hans")
    for code in ("equal", "history", "potential", "capacity"):
        assert f'title="{code}"' not in text
        assert f' {code}"' not in text  # the end of an aria-label
    assert ' overassign"' not in text  # an aria-label's end, not the field's name
    with translation.override("zh-hans"):
        history = str(translation.gettext("History (last year's actual)"))
        over = translation.gettext("Over-assign")
    assert f'title="{history}"' in text and f' {over}"' in text
