"""The company settings page and ``/api/company/`` after the first-run setup: what an
administrator may change, the fiscal year start and the currency fixed once plans,
targets, results or payouts are stored, every change audited, both languages.

(Who may open them at all: the role tables in attain/org/tests/test_access.py and
attain/api/tests/test_access.py.)"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from attain.audit.models import Action, AuditEvent
from attain.conftest import Company
from attain.core.tests.test_setup import GOOD_COMPANY
from attain.incentives.models import PeriodResult, Plan
from attain.org import company as company_module
from attain.org import services_company
from attain.org.models import CompanySettings
from attain.pay.models import Payout
from attain.targets.tests.conftest import new_plan

URL = "/company/settings/"
# what the first-run setup stored (FY from April, CNY, Shanghai), as the page posts it
FORM = {**GOOD_COMPANY, "language": "zh-hans", "plan_four_eyes": "on", "reason": ""}


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    company_module.forget()
    yield
    company_module.forget()


@pytest.fixture
def stored(company: Company) -> CompanySettings:
    """The settings the first-run setup stored (FY from April, CNY, Shanghai)."""
    asked = {k: v for k, v in FORM.items() if k not in ("reason", "plan_four_eyes")}
    values = services_company.clean_company(**asked)
    return services_company.store_company(None, values)


@pytest.fixture
def admin(client, company: Company):
    client.force_login(company.users["admin"])
    return client


def _store_target_plan(company: Company) -> None:
    new_plan(company)


def _store_incentive_plan(company: Company) -> None:
    Plan.objects.create(code="rep", name="Rep")


def _store_result(company: Company) -> None:
    PeriodResult.objects.create(
        person=company.people["r1"],
        period="2026-04",
        period_kind="month",
        start=datetime.date(2026, 4, 1),
        end=datetime.date(2026, 4, 30),
    )


def _store_payout(company: Company) -> None:
    Payout.objects.create(
        person=company.people["r1"],
        period="2026-Q1",
        period_end=datetime.date(2026, 6, 30),
        amount=Decimal("100.00"),
    )


def _updates():
    """The audited updates of the company settings (the fixture's people have theirs)."""
    return AuditEvent.objects.filter(action=Action.UPDATE, content_type__model="companysettings")


COUNTED = {
    "targets": _store_target_plan,
    "incentive plans": _store_incentive_plan,
    "results": _store_result,
    "payouts": _store_payout,
}


# The service ------------------------------------------------------------------------------


def test_an_administrator_changes_the_settings_audited(company, stored):
    admin = company.users["admin"]
    services_company.change_company(
        admin,
        {
            "name": "华东精密",
            "time_zone": "Asia/Hong_Kong",
            "languages": ["en"],
            "language": "en",
            "plan_four_eyes": False,
        },
        reason="renamed",
    )
    now = company_module.company()
    assert (now.name, now.time_zone, now.languages, now.language) == (
        "华东精密",
        "Asia/Hong_Kong",
        ("en",),
        "en",
    )
    assert now.plan_four_eyes is False
    event = _updates().get()
    assert event.actor == admin and event.reason == "renamed"
    assert {field for field, _b, _a in event.changes()} == {
        "name",
        "time_zone",
        "languages",
        "language",
        "plan_four_eyes",
    }
    assert (event.before["name"], event.after["name"]) == ("华东精密仪器有限公司", "华东精密")


def test_nothing_changed_is_not_audited(company, stored):
    services_company.change_company(company.users["admin"], {"name": stored.name})
    assert not _updates().exists()


@pytest.mark.parametrize("role", ["sales_ops", "finance", "executive", "manager", "rep"])
def test_only_an_administrator_changes_them(company, stored, role):
    with pytest.raises(PermissionDenied):
        services_company.change_company(company.users[role], {"name": "X"})


def test_bad_values_are_named_as_the_setup_names_them(company, stored):
    with pytest.raises(ValidationError) as refused:
        services_company.change_company(
            company.users["admin"],
            {"currency": "EURO", "time_zone": "Mars/Base", "languages": ["en"], "language": "fr"},
        )
    assert set(refused.value.message_dict) == {"currency", "time_zone", "language"}
    # the default language must stay one of those offered
    with pytest.raises(ValidationError) as refused:
        services_company.change_company(company.users["admin"], {"languages": ["en"]})
    assert set(refused.value.message_dict) == {"language"}
    assert company_module.company().currency == "CNY"


def test_the_fiscal_year_and_currency_change_while_nothing_is_counted_in_them(company, stored):
    assert services_company.counted_data() == []
    services_company.change_company(
        company.users["admin"], {"fiscal_year_start": 1, "currency": "USD"}
    )
    assert (company_module.company().fiscal_year_start, company_module.company().currency) == (
        1,
        "USD",
    )


@pytest.mark.parametrize("kind", COUNTED)
def test_stored_data_fixes_the_fiscal_year_and_currency(company, stored, kind):
    COUNTED[kind](company)
    assert services_company.counted_data() == [kind]
    for field, value in (("fiscal_year_start", 1), ("currency", "USD")):
        with pytest.raises(ValidationError) as refused:
            services_company.change_company(company.users["admin"], {field: value})
        [why] = refused.value.message_dict[field]
        assert kind in why and "new company" in why
    # the other settings still change, and sending the same values back is no change
    services_company.change_company(
        company.users["admin"], {"name": "New", "fiscal_year_start": 4, "currency": "cny"}
    )
    assert company_module.company().name == "New"
    assert (stored.fiscal_year_start, company_module.company().fiscal_year_start) == (4, 4)


def test_an_install_from_before_the_wizard_gets_its_row(company):
    assert not CompanySettings.objects.exists()
    # the deployment's settings, as the page and the API show them: the editable ones only
    assert list(services_company.settings_of(None)) == list(services_company.EDITABLE)
    services_company.change_company(company.users["admin"], {"name": "Acme"})
    row = CompanySettings.objects.get()
    assert row.name == "Acme"
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(row.pk)).exists()


# The page ---------------------------------------------------------------------------------


def test_the_page_shows_every_setting_with_the_setup_fields(admin, stored):
    page = admin.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("name", "fiscal_year_start", "currency", "time_zone", "language", "reason"):
        assert f'name="{name}"' in html, name
    assert 'name="languages"' in html and 'name="plan_four_eyes"' in html
    assert 'class="field' in html and 'fieldset class="choices' in html  # setup's templates
    assert f'href="{URL}" aria-current="page"' in html  # in the menu


def test_saving_audits_the_change_and_the_audit_page_shows_it(admin, company, stored):
    response = admin.post(
        URL, {**FORM, "name": "华东精密", "plan_four_eyes": "", "reason": "新名称"}
    )
    assert response.status_code == 302 and response["Location"] == URL
    assert company_module.company().name == "华东精密"
    assert company_module.company().plan_four_eyes is False
    event = _updates().get()
    assert event.actor == company.users["admin"] and event.reason == "新名称"
    audit = admin.get("/audit/", {"type": "org.companysettings"}).content.decode()
    assert "华东精密仪器有限公司" in audit and "华东精密" in audit and "新名称" in audit


def test_a_new_time_zone_says_what_to_recalculate(admin, stored):
    response = admin.post(URL, {**FORM, "time_zone": "Europe/Berlin"}, follow=True)
    assert "recalculate each fiscal year in use" in response.content.decode()


def test_a_refused_change_keeps_what_was_typed(admin, stored):
    response = admin.post(URL, {**FORM, "name": "Typed Co", "languages": ["en"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Typed Co"' in html
    assert "is not one of the languages offered" in html
    assert company_module.company().name == FORM["name"]


def test_counted_data_shows_the_fiscal_year_and_currency_fixed(admin, company, stored):
    _store_payout(company)
    html = admin.get(URL).content.decode()
    assert html.count("disabled") == 2
    assert "The fiscal year start can no longer change: payouts are stored" in html
    assert "The currency can no longer change: payouts are stored as amounts in CNY" in html
    # a forged post of another currency changes nothing (the field is not taken)
    response = admin.post(URL, {**FORM, "currency": "USD", "fiscal_year_start": "1"})
    assert response.status_code == 302
    assert (company_module.company().currency, company_module.company().fiscal_year_start) == (
        "CNY",
        4,
    )


def test_the_page_in_chinese(admin, company, stored):
    _store_target_plan(company)
    admin.cookies.load({"django_language": "zh-hans"})
    html = admin.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "公司设置" in html and "财年起始月份已不能更改" in html
    response = admin.post(URL, {**FORM, "name": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "请输入公司名称" in response.content.decode()


# The API ----------------------------------------------------------------------------------


@pytest.fixture
def api(company: Company) -> APIClient:
    client = APIClient()
    client.force_authenticate(company.users["admin"])
    return client


def test_the_api_reads_and_changes_the_settings(api, stored):
    read = api.get("/api/company/").json()
    assert read == {
        "name": FORM["name"],
        "fiscal_year_start": 4,
        "currency": "CNY",
        "time_zone": "Asia/Shanghai",
        "languages": ["zh-hans", "en"],
        "language": "zh-hans",
        "plan_four_eyes": True,
        "fixed": {},
    }
    changed = api.patch(
        "/api/company/", {"plan_four_eyes": False, "reason": "one approver"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["plan_four_eyes"] is False
    assert _updates().get().reason == "one approver"


def test_the_api_refuses_a_fixed_setting_with_why(api, company, stored):
    _store_result(company)
    assert set(api.get("/api/company/").json()["fixed"]) == {"fiscal_year_start", "currency"}
    refused = api.patch("/api/company/", {"currency": "USD"}, format="json")
    assert refused.status_code == 400
    [error] = refused.json()["error"]["fields"]["currency"]
    assert "results are stored as amounts in CNY" in error
    refused = api.patch("/api/company/", {"languages": ["xx"]}, format="json")
    assert refused.status_code == 400
    assert any(name.startswith("languages") for name in refused.json()["error"]["fields"])
    assert reverse("api-company") == "/api/company/"


def test_the_django_admin_keeps_the_same_rule(admin, company, stored):
    """The admin's change form, still there for administrators, refuses what the
    settings page does not offer."""
    _store_target_plan(company)
    url = f"/admin/org/companysettings/{stored.pk}/change/"
    response = admin.post(url, {**FORM, "currency": "USD", "plan_four_eyes": "on"})
    assert response.status_code == 200
    assert "The currency can no longer change: targets are stored" in response.content.decode()
    assert company_module.company().currency == "CNY"


@pytest.mark.parametrize("currency", ["KWD", "DEM"])
def test_a_currency_an_older_version_stored_does_not_block_the_other_settings(
    admin, company, stored, currency
):
    """An install from before 74de49ce may pay in a currency Attain no longer offers (the
    setup offered every code Babel knows: Kuwait's dinar with its 3 places, a historic
    Deutsche Mark). After the upgrade its currency is fixed by its payouts, and it must
    still change its name, languages or four eyes, by the page and by the API."""
    CompanySettings.objects.update(currency=currency)
    company_module.forget()
    _store_payout(company)
    services_company.change_company(company.users["admin"], {"plan_four_eyes": False})
    assert CompanySettings.objects.get().plan_four_eyes is False
    # the page shows the company's currency, not the first one it offers
    assert f'<option value="{currency}" selected>' in admin.get(URL).content.decode()
    response = admin.post(URL, {**FORM, "name": "Renamed Co"})
    assert response.status_code == 302
    assert (company_module.company().name, company_module.company().currency) == (
        "Renamed Co",
        currency,
    )
    # changing to it is still refused
    CompanySettings.objects.update(currency="CNY")
    Payout.objects.all().delete()
    company_module.forget()
    with pytest.raises(ValidationError) as refused:
        services_company.change_company(company.users["admin"], {"currency": currency})
    assert "currency" in refused.value.message_dict


def _seen_on(page: str) -> str:
    import html
    import re

    found = re.search(r'name="seen" value="([^"]*)"', page)
    assert found, "the page carries no record of what it showed"
    return html.unescape(found.group(1))


def test_two_administrators_saving_at_once_keep_each_others_changes(
    admin, company: Company, stored: CompanySettings
) -> None:
    """Each saves what they changed: one the name, the other the time zone (the page
    posts every field; the one posted last used to put the other's back)."""
    other = APIClient()
    other.force_login(company.users["admin"])
    seen_first = _seen_on(admin.get(URL).content.decode())
    seen_second = _seen_on(other.get(URL).content.decode())
    assert admin.post(URL, {**FORM, "name": "华信销售", "seen": seen_first}).status_code == 302
    moved = {**FORM, "time_zone": "Asia/Tokyo", "seen": seen_second}
    assert other.post(URL, moved).status_code == 302
    row = CompanySettings.objects.get()
    assert (row.name, row.time_zone) == ("华信销售", "Asia/Tokyo")


def test_the_same_setting_changed_by_two_is_refused_then_replaced_when_saved_again(
    admin, company: Company, stored: CompanySettings
) -> None:
    other = APIClient()
    other.force_login(company.users["admin"])
    seen_first = _seen_on(admin.get(URL).content.decode())
    seen_second = _seen_on(other.get(URL).content.decode())
    assert other.post(URL, {**FORM, "name": "其他名称", "seen": seen_second}).status_code == 302
    refused = admin.post(
        URL, {**FORM, "name": "华信销售", "time_zone": "Asia/Tokyo", "seen": seen_first}
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Someone else changed this setting since you opened the page; it is now 其他名称" in page
    row = CompanySettings.objects.get()
    assert (row.name, row.time_zone) == ("其他名称", "Asia/Shanghai")  # nothing half saved
    again = admin.post(
        URL, {**FORM, "name": "华信销售", "time_zone": "Asia/Tokyo", "seen": _seen_on(page)}
    )
    assert again.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.time_zone) == ("华信销售", "Asia/Tokyo")


def test_languages_listed_in_another_order_are_not_a_change(
    admin, company: Company, stored: CompanySettings
) -> None:
    """The page's boxes post the languages in the page's order (中文, English); settings
    stored in another (the API's ["en", "zh-hans"]) are the same languages: saving the
    name alone neither touches them nor refuses them as changed by someone else."""
    services_company.change_company(company.users["admin"], {"languages": ["en", "zh-hans"]})
    seen = _seen_on(admin.get(URL).content.decode())
    # meanwhile another administrator offers Chinese only
    services_company.change_company(company.users["admin"], {"languages": ["zh-hans"]})
    answer = admin.post(URL, {**FORM, "name": "华信销售", "seen": seen})
    assert answer.status_code == 302  # was 400: "someone else changed" the languages
    row = CompanySettings.objects.get()
    assert (row.name, row.languages) == ("华信销售", ["zh-hans"])


def test_a_setting_changed_meanwhile_is_named_as_the_page_names_it(
    admin, company: Company, stored: CompanySettings
) -> None:
    seen = _seen_on(admin.get(URL).content.decode())
    services_company.change_company(company.users["admin"], {"languages": ["zh-hans"]})
    mine = {**FORM, "languages": ["en"], "language": "en", "seen": seen}
    refused = admin.post(URL, mine)
    assert refused.status_code == 400
    assert "现在是 简体中文。" in refused.content.decode()  # English is no longer offered
