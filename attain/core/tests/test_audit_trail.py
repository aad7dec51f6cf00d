from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attain.audit.models import AppendOnlyError, AuditEvent
from attain.core.templatetags.core_tags import field_label
from attain.org import services


def test_events_cannot_be_changed_or_deleted(company):
    event = AuditEvent.objects.first()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_changes_lists_only_what_differs(company):
    services.update_unit(company.users["admin"], company.east, name="华东大区", reason="改名")
    event = AuditEvent.objects.filter(content_type__model="unit").first()
    assert event.changes() == [("name", "华东", "华东大区")]
    assert event.actor_name == "admin"


def test_django_admin_changes_are_audited(company):
    client = Client()
    client.force_login(company.users["admin"])
    unit = company.west
    response = client.post(
        reverse("admin:org_unit_change", args=[unit.pk]),
        {
            "code": "west",
            "name": "华西大区",
            "parent": company.hq.pk,
            "potential": "",
            "opened": "",
            "closed": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(content_type__model="unit", object_id=str(unit.pk)).first()
    assert event.changes() == [("name", "华西", "华西大区")]


def test_audit_page_filters(company):
    services.update_unit(company.users["admin"], company.east, name="华东大区")
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = client.get(reverse("audit"), {"type": "org.unit", "action": "update"})
    events = list(response.context["page"])
    assert [e.object_repr for e in events] == ["华东大区"]
    response = client.get(reverse("audit"), {"actor": "nobody"})
    assert list(response.context["page"]) == []
    response = client.get(reverse("audit"), {"since": "not-a-date"})
    assert response.status_code == 200


def test_audit_page_says_values_in_words(company):
    """A created assignment's person, unit and manager by name, its title by label."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["sales_ops"])
    response = client.get(reverse("audit"), {"type": "org.assignment", "action": "create"})
    html = response.content.decode()
    event = next(iter(response.context["page"]))
    after = event.after
    person = company.people["r1"].__class__.objects.get(pk=after["person"])
    unit = company.east.__class__.objects.get(pk=after["unit"])
    rows = [
        f'<th>人员</th><td class="before">—</td><td class="after">{person.name}</td>',
        f'<th>组织单元</th><td class="before">—</td><td class="after">{unit.name}</td>',
        '<th>岗位</th><td class="before">—</td><td class="after">销售代表</td>',
    ]
    for row in rows:
        assert row in html


def test_audit_page_says_times_mappings_and_system_reasons_in_the_readers_words(company):
    """Raw UTC timestamps, Python dicts and the English the system writes its reasons
    in once reached the Chinese page as they were stored."""
    from attain.audit.services import record_change

    run = company.people["r1"]
    record_change(
        None,
        "update",
        run,
        before={"created": "2026-12-05T14:56:15.378245+00:00"},
        after={"created": "2026-12-05T15:00:00+00:00", "opened_by": {"a": "1", "b": ["x"]}},
        reason="integrity scan",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["admin"])
    html = client.get(reverse("audit"), {"type": "org.person"}).content.decode()
    assert "2026-12-05T14:56" not in html
    assert "{'a'" not in html and "a: 1; b: [x]" in html
    assert "原因: 诚信扫描" in html or "原因：诚信扫描" in html
    assert "<th>发起人</th>" in html


def test_audit_page_says_yes_or_no_inside_a_mapping(company):
    """A switch inside a snapshot (the notification settings: "targets_published:email:
    False") read Python's True and False on the Chinese page."""
    from attain.audit.services import record_change

    record_change(
        None,
        "update",
        company.people["r1"],
        before={"switches": {"email": True}},
        after={"switches": {"email": False}, "list": [True]},
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["admin"])
    html = client.get(reverse("audit"), {"type": "org.person"}).content.decode()
    assert "True" not in html and "False" not in html
    assert '<td class="before">email: 是</td><td class="after">email: 否</td>' in html
    assert '<th>list</th><td class="before">—</td><td class="after">是</td>' in html


def test_audit_page_groups_the_numbers_it_shows(company):
    """An amount was shown as stored (市场潜力 1543800.00, totals 207090000) where every
    other number of the page is grouped; a year or a small count reads as it is."""
    from attain.audit.services import record_change

    person = company.people["r1"]
    record_change(
        None,
        "update",
        person,
        before={"potential": None},
        after={"potential": "1543800.00", "totals": {"revenue": "207090000", "year": 2026}},
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["admin"])
    html = client.get(reverse("audit"), {"type": "org.person"}).content.decode()
    assert "1543800" not in html and '<td class="after">1,543,800.00</td>' in html
    # (PostgreSQL's jsonb keeps its keys in its own order: year may come first)
    assert "207090000" not in html and "revenue: 207,090,000" in html
    assert "year: 2026" in html and "2,026" not in html


def test_every_audited_field_is_named_in_chinese(company):
    """A plan target's ``spread`` had no catalogue entry: its changes were headed in
    English on the Chinese audit page."""
    from decimal import Decimal

    from attain.audit.services import record_change
    from attain.incentives.models import PlanTarget

    target = PlanTarget.objects.create(
        measure="revenue", who="r1", period="2026", value=Decimal(5), spread="none"
    )
    record_change(None, "create", target, after={"spread": "none"})
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["admin"])
    html = client.get(reverse("audit"), {"type": "incentives.plantarget"}).content.decode()
    assert "<th>分摊方式</th>" in html


def test_audit_page_names_related_records_in_a_fixed_number_of_queries(company):
    """A page of changes that name people and units looks their names up once per kind
    of record, not once per record: more hires on the page, no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from attain.conftest import START

    client = Client()
    client.force_login(company.users["sales_ops"])
    filters = {"type": "org.assignment", "action": "create"}

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("audit"), filters)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    count()  # the first request reads what the process keeps (company settings)
    before, _html = count()
    for n in range(12):
        unit = services.create_unit(None, code=f"u{n}", name=f"单元{n}", parent=company.east)
        services.create_person(
            None,
            code=f"x{n}",
            name=f"新人{n}",
            unit=unit,
            title="rep",
            start=START,
            manager=company.people["m1"],
        )
    after, html = count()
    assert after == before
    assert '<td class="after">新人11</td>' in html and '<td class="after">单元11</td>' in html


def _attain_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("attain.") or model._meta.auto_created:
            continue
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and not field.auto_created:
                yield model, field


def test_every_field_an_audit_event_can_name_is_named_in_chinese(db):
    """A change on the trail is named by its field's label (its name, where the field
    has none of its own: ``held_by`` is "held by"): every one is in the catalogue, so a
    Chinese reader sees 暂扣人, not "held by"."""
    untranslated = []
    with translation.override("zh-hans"):
        for model, field in _attain_fields():
            event = AuditEvent(content_type=ContentType.objects.get_for_model(model))
            label = field_label(event, field.name)
            if re.fullmatch(r"[A-Za-z0-9 ()/'.,-]+", label):
                untranslated.append(f"{model._meta.label}.{field.name}: {label}")
    assert untranslated == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_two_fields_of_a_record_share_a_name_on_the_trail(db, language):
    """Two changes named alike cannot be told apart (a review comment's author and the
    author's name both read 作者)."""
    shared = []
    with translation.override(language):
        for model in {model for model, _field in _attain_fields()} - {AuditEvent}:
            event = AuditEvent(content_type=ContentType.objects.get_for_model(model))
            named: dict[str, str] = {}
            for field in model._meta.get_fields():
                if getattr(field, "concrete", False) and not field.auto_created:
                    label = field_label(event, field.name)
                    if label in named:
                        shared.append(f"{model._meta.label}: {named[label]}, {field.name}")
                    named[label] = field.name
    assert shared == []
