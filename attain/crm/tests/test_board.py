"""The pipeline board (/crm/pipeline/): columns by stage with counts and amount totals
under the visibility rule, and moving a card through the same service and rules as the
opportunity's own page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from attain.audit.models import AuditEvent
from attain.conftest import client_for
from attain.crm.models import Opportunity, StageChange
from attain.crm.tests import make

ROLES = ["admin", "sales_ops", "finance", "executive", "manager", "rep"]
SEES_R4 = {"admin", "sales_ops", "finance", "executive"}
WRITES = {"admin": {"a", "b", "d"}, "sales_ops": {"a", "b", "d"}, "finance": {"a", "b", "d"}}


@pytest.fixture
def pipeline(company, crm):
    p, c = company.people, crm.customers
    return {
        "a": make.opportunity(c["c_r1"], p["r1"], "甲项目", 1000),
        "b": make.opportunity(c["c_r1"], p["r1"], "乙项目", Decimal("2500.50")),
        "d": make.opportunity(c["c_r4"], p["r4"], "丁项目", 4000),
    }


def board(client: Client) -> dict[str, dict]:
    response = client.get("/crm/pipeline/")
    assert response.status_code == 200
    return {col["stage"].code: col for col in response.context["columns"]}


@pytest.mark.parametrize("role", ROLES)
def test_board_columns_count_and_total_what_the_role_sees(company, pipeline, role):
    columns = board(client_for(company, role))
    assert list(columns) == ["lead", "qualify", "solution", "quote", "negotiate", "won", "lost"]
    lead = columns["lead"]
    names = {card.name for card in lead["cards"]}
    if role in SEES_R4:
        assert names == {"甲项目", "乙项目", "丁项目"}
        assert (lead["count"], lead["amount"]) == (3, Decimal("7500.50"))
    else:
        assert names == {"甲项目", "乙项目"}
        assert (lead["count"], lead["amount"]) == (2, Decimal("3500.50"))
    movable = {card.name for card in lead["cards"] if card.movable}
    expected = {
        "admin": {"甲项目", "乙项目", "丁项目"},
        "sales_ops": {"甲项目", "乙项目", "丁项目"},
        "finance": {"甲项目", "乙项目", "丁项目"},
        "executive": set(),
        "manager": {"甲项目", "乙项目"},
        "rep": {"甲项目", "乙项目"},
    }[role]
    assert movable == expected


def test_board_shows_totals_with_separators_and_move_forms(company, pipeline):
    page = client_for(company, "rep").get("/crm/pipeline/").content.decode()
    assert "3,500.50" in page
    assert f'action="/crm/opportunities/{pipeline["a"].external_id}/move/"' in page
    assert 'draggable="true"' in page
    executive = client_for(company, "executive").get("/crm/pipeline/").content.decode()
    assert "/move/" not in executive
    assert (
        'href="/crm/pipeline/"'
        in client_for(company, "rep").get("/crm/opportunities/").content.decode()
    )


def test_moving_a_card_keeps_the_stage_rules(company, crm, pipeline):
    client = client_for(company, "rep")
    opp = pipeline["a"]
    url = f"/crm/opportunities/{opp.external_id}/move/"
    # quote needs a visit first: refused with the service's message, nothing changes
    response = client.post(url, {"stage": "quote"}, follow=True)
    assert response.redirect_chain == [("/crm/pipeline/", 302)]
    assert "Log a Visit" in response.content.decode()
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "lead"
    # winning needs a reason
    response = client.post(url, {"stage": "won"}, follow=True)
    assert "Give the reason" in response.content.decode()
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "lead"
    events = AuditEvent.objects.count()
    response = client.post(url, {"stage": "negotiate"}, follow=True)
    assert "甲项目" in response.content.decode()
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "negotiate"
    assert AuditEvent.objects.count() > events
    assert StageChange.objects.filter(opportunity=opp, to_stage__code="negotiate").exists()
    response = client.post(url, {"stage": "won", "reason": "方案领先"})
    assert response.status_code == 302
    won = Opportunity.objects.get(pk=opp.pk)
    assert (won.stage.code, won.close_reason) == ("won", "方案领先")
    columns = board(client)
    assert [c.name for c in columns["won"]["cards"]] == ["甲项目"]
    assert not columns["won"]["cards"][0].movable  # closed: no move form
    # an unknown stage is a form error, shown as a message
    response = client.post(
        f"/crm/opportunities/{pipeline['b'].external_id}/move/", {"stage": "x"}, follow=True
    )
    assert Opportunity.objects.get(pk=pipeline["b"].pk).stage.code == "lead"
    assert response.status_code == 200


def test_moving_what_one_may_not_see_or_write(company, pipeline):
    d = pipeline["d"]
    url = f"/crm/opportunities/{d.external_id}/move/"
    assert client_for(company, "rep").post(url, {"stage": "qualify"}).status_code == 404
    assert client_for(company, "manager").post(url, {"stage": "qualify"}).status_code == 404
    a_url = f"/crm/opportunities/{pipeline['a'].external_id}/move/"
    assert client_for(company, "executive").post(a_url, {"stage": "qualify"}).status_code == 403
    assert client_for(company, "admin").get(a_url).status_code == 405
    assert Client().post(a_url, {"stage": "qualify"}).status_code == 302  # to sign in
    assert Client().get("/crm/pipeline/").status_code == 302
    assert Opportunity.objects.get(pk=pipeline["a"].pk).stage.code == "lead"
    assert Opportunity.objects.get(pk=d.pk).stage.code == "lead"


def test_board_in_chinese(company, pipeline):
    client = client_for(company, "rep")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/crm/pipeline/").content.decode()
    assert "商机看板" in page and "移动" in page


def test_a_refused_move_names_the_card_with_the_readers_punctuation(company, pipeline):
    """Before: “甲项目: 请填写赢单或输单的原因。” (an English colon in Chinese)."""
    client = client_for(company, "rep")
    url = f"/crm/opportunities/{pipeline['a'].external_id}/move/"
    page = client.post(url, {"stage": "won"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "甲项目：请填写赢单或输单的原因" in page.content.decode()
    page = client.post(url, {"stage": "won"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "甲项目: Give the reason" in page.content.decode()


def test_board_asks_who_may_move_cards_in_one_query(company, crm, pipeline):
    """A manager's board does not ask the visibility rule once per card: more cards, no
    more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(company, "manager")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            board(client)
        return len(queries)

    count()  # the first request reads what the process keeps
    before = count()
    for n in range(6):
        owner = company.people["r2" if n % 2 else "r3"]
        make.opportunity(crm.customers["c_r1"], owner, f"新项目{n}", 100 + n)
    assert count() == before
    movable = {card.name for card in board(client)["lead"]["cards"] if card.movable}
    assert movable == {"甲项目", "乙项目", *(f"新项目{n}" for n in range(6))}
