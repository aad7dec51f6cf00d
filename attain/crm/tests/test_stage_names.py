"""The default funnel's stages read in the reader's language (线索 / Lead); a stage the
company renamed reads as stored to everyone."""

from __future__ import annotations

from django.test import Client

from attain.crm.models import Stage
from attain.crm.tests import make


def _page(company, url: str, language: str) -> str:
    client = Client()
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = language
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_default_stages_read_in_the_readers_language(company, crm):
    opp = make.opportunity(crm.customers["c_r1"], company.people["r1"], "新机会", 100)
    opp_url = f"/crm/opportunities/{opp.external_id}/"
    english_funnel = _page(company, "/crm/opportunities/", "en")
    english_opp = _page(company, opp_url, "en")
    for english in (english_funnel, english_opp):
        assert ">Lead<" in english or "Lead " in english
        assert "线索" not in english
    assert "Qualification" in english_funnel and "需求确认" not in english_funnel
    client = Client()
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "en"
    chart = client.get("/crm/opportunities/").context["funnel_chart"]
    names = [point["name"] for point in chart["series"][0]["data"]]
    assert names[:2] == ["Lead", "Qualification"]  # the chart's categories too
    chinese_funnel = _page(company, "/crm/opportunities/", "zh-hans")
    chinese_opp = _page(company, opp_url, "zh-hans")
    for chinese in (chinese_funnel, chinese_opp):
        assert "线索" in chinese and ">Lead<" not in chinese


def test_a_renamed_stage_reads_as_stored(company, crm):
    Stage.objects.filter(code="lead").update(name="潜在客户 Prospect")
    opp = make.opportunity(crm.customers["c_r1"], company.people["r1"], "新机会", 100)
    for language in ("en", "zh-hans"):
        for url in ("/crm/opportunities/", f"/crm/opportunities/{opp.external_id}/"):
            page = _page(company, url, language)
            assert "潜在客户 Prospect" in page
            assert ">Lead<" not in page
    assert Stage.objects.get(code="lead").shown_name == "潜在客户 Prospect"
