"""The first-run setup: the wizard, its guards, the company settings it stores and who
reads them, the command line, and the onboarding checklist."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attain.accounts.models import Role, User
from attain.audit.models import AuditEvent
from attain.calc import periods
from attain.org import company as company_module
from attain.org import services_company
from attain.org.models import CompanySettings
from attain.org.services_company import AlreadySetUp

GOOD_COMPANY = {
    "name": "华东精密仪器有限公司",
    "fiscal_year_start": "4",
    "currency": "CNY",
    "time_zone": "Asia/Shanghai",
    "languages": ["zh-hans", "en"],
}
GOOD_ADMIN = {
    "admin_username": "boss",
    "admin_email": "boss@example.com",
    "admin_password": "Lantern-Harbour-93",
    "admin_password2": "Lantern-Harbour-93",
}


def values(**changes):
    data = {**GOOD_COMPANY, **changes}
    return services_company.clean_company(**data)


def run_wizard(client: Client, language: str = "zh-hans", **company) -> object:
    client.post(reverse("setup"), {"language": language})
    client.post(reverse("setup-company"), {**GOOD_COMPANY, **company})
    return client.post(reverse("setup-admin"), GOOD_ADMIN)


# The redirect -----------------------------------------------------------------------------


def test_an_empty_install_sends_every_page_to_the_wizard(db):
    client = Client()
    for path in ("/", "/people/", "/intake/", "/performance/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("setup"), path
    assert client.get(reverse("setup")).status_code == 200
    # the API answers as always (no login: 401), the sign-in page says what to do
    assert client.get("/api/me/").status_code == 401
    login = client.get(reverse("login"))
    assert login.status_code == 200 and reverse("setup") in login.content.decode()


def test_a_database_with_logins_is_set_up(company):
    client = Client()
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"].startswith(reverse("login"))
    assert client.get(reverse("setup")).status_code == 404
    client.force_login(company.users["rep"])
    assert client.get("/").status_code == 200


def test_set_up_is_cached_once_true(db, django_assert_num_queries):
    assert not company_module.is_set_up()
    services_company.store_company(None, values())
    assert company_module.is_set_up()  # asks the database once
    with django_assert_num_queries(0):
        assert company_module.is_set_up()
        assert company_module.is_set_up()


# The wizard -------------------------------------------------------------------------------


def test_the_wizard_in_chinese_sets_up_and_signs_in_the_administrator(db):
    client = Client()
    page = client.get(reverse("setup"))
    assert "简体中文" in page.content.decode() and "English" in page.content.decode()
    response = client.post(reverse("setup"), {"language": "zh-hans"})
    assert response["Location"] == reverse("setup-company")
    page = client.get(reverse("setup-company")).content.decode()
    assert "公司名称" in page and "财年起始月份" in page and "时区" in page
    response = client.post(reverse("setup-company"), GOOD_COMPANY)
    assert response["Location"] == reverse("setup-admin")
    response = client.post(reverse("setup-admin"), GOOD_ADMIN)
    assert response["Location"] == reverse("onboarding")

    admin = User.objects.get()
    assert (admin.username, admin.email, admin.role) == ("boss", "boss@example.com", Role.ADMIN)
    assert admin.is_staff and admin.is_superuser and admin.check_password("Lantern-Harbour-93")
    row = CompanySettings.objects.get()
    assert (row.name, row.fiscal_year_start, row.currency, row.time_zone) == (
        "华东精密仪器有限公司",
        4,
        "CNY",
        "Asia/Shanghai",
    )
    assert row.languages == ["zh-hans", "en"] and row.language == "zh-hans"
    events = AuditEvent.objects.filter(reason="first-run setup", actor=admin)
    assert events.count() == 2

    checklist = client.get(reverse("onboarding"))
    assert checklist.status_code == 200  # signed in as the administrator
    body = checklist.content.decode()
    assert "华东精密仪器有限公司" in body and "导入组织架构" in body
    assert f"{reverse('intake')}?table=people" in body
    # the wizard is gone
    assert client.get(reverse("setup")).status_code == 404
    assert client.get(reverse("setup-admin")).status_code == 404
    again = Client().post(reverse("setup-admin"), GOOD_ADMIN)
    assert again["Location"] == reverse("login")
    assert User.objects.count() == 1


def test_the_steps_come_in_order(db):
    client = Client()
    assert client.get(reverse("setup-company"))["Location"] == reverse("setup")
    assert client.get(reverse("setup-admin"))["Location"] == reverse("setup")
    client.post(reverse("setup"), {"language": "en"})
    assert client.get(reverse("setup-admin"))["Location"] == reverse("setup-company")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "", "company"),
        ("fiscal_year_start", "13", "Select a valid choice"),
        ("currency", "ABC", "Select a valid choice"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("languages", [], "language"),
        ("languages", ["fr"], "Select a valid choice"),
    ],
)
def test_a_bad_company_value_is_named(db, field, value, words):
    client = Client()
    client.post(reverse("setup"), {"language": "en"})
    response = client.post(reverse("setup-company"), {**GOOD_COMPANY, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert words.lower() in " ".join(errors[field]).lower()
    assert not CompanySettings.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("admin_username", "bad name!", "username"),
        ("admin_email", "not-an-email", "email"),
        ("admin_password", "123", "too short"),
        ("admin_password", "password1", "too common"),
        ("admin_password", "Example.com1", "too similar"),
        ("admin_password2", "Lantern-Harbour-94", "differ"),
    ],
)
def test_a_bad_administrator_is_named(db, field, value, words):
    client = Client()
    client.post(reverse("setup"), {"language": "en"})
    client.post(reverse("setup-company"), GOOD_COMPANY)
    data = {**GOOD_ADMIN, field: value}
    if field == "admin_password":
        data["admin_password2"] = value
    response = client.post(reverse("setup-admin"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field]).lower()
    assert not User.objects.exists() and not CompanySettings.objects.exists()
    assert f"{response.context['form'][field].label}:" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "words"),
    [("Lt-93", "密码长度太短"), ("password1", "太常见"), ("boss@example", "太相似")],
)
def test_a_bad_password_is_named_in_chinese(db, value, words):
    """A password too short was told "This password is too short. It must contain at
    least 8 characters." in English on the Chinese wizard (and the Chinese password
    reset): Django 5.2's message has no Chinese in Django's own catalogue."""
    client = Client()
    client.post(reverse("setup"), {"language": "zh-hans"})
    client.post(reverse("setup-company"), GOOD_COMPANY)
    data = {**GOOD_ADMIN, "admin_password": value, "admin_password2": value}
    response = client.post(reverse("setup-admin"), data)
    errors = " ".join(response.context["form"].errors["admin_password"])
    assert words in errors and "password" not in errors.lower(), errors


def test_the_service_names_each_bad_field(db):
    with pytest.raises(services_company.ValidationError) as caught:
        services_company.clean_company(
            name=" ",
            fiscal_year_start="0",
            currency="yen",
            time_zone="Nowhere",
            languages=["xx"],
        )
    assert set(caught.value.message_dict) == {
        "name",
        "fiscal_year_start",
        "currency",
        "time_zone",
        "languages",
    }
    with pytest.raises(services_company.ValidationError) as caught:
        values(languages=["en"], language="zh-hans")
    assert set(caught.value.message_dict) == {"language"}
    assert values(currency=" usd ").currency == "USD"


@pytest.mark.parametrize(
    ("currency", "words"),
    [
        ("KWD", "KWD has 3"),  # amounts are kept to the cent: a fils would be rounded away
        ("OMR", "OMR has 3"),
        ("CLF", "CLF has 4"),
        ("XAU", "ISO 4217 code such as CNY"),  # gold is no currency anyone is paid in
        ("DEM", "ISO 4217 code such as CNY"),  # the Mark is history
        ("CHE", "ISO 4217 code such as CNY"),  # a fund code, not money
    ],
)
def test_a_currency_amounts_to_the_cent_cannot_hold_is_refused(db, currency, words):
    with pytest.raises(services_company.ValidationError) as caught:
        values(currency=currency)
    assert words in " ".join(caught.value.message_dict["currency"])


def test_the_currencies_offered_are_iso_4217s_in_use_to_the_cent():
    offered = company_module.currencies()
    assert {"CNY", "HKD", "USD", "EUR", "JPY", "VND", "TWD", "MOP"} <= set(offered)
    assert not {"KWD", "BHD", "XAU", "XXX", "DEM", "CHE"} & set(offered)


def test_attain_check_refuses_a_currency_setting_that_is_none(settings):
    from attain.core.checks import currency_is_one_attain_pays_in

    settings.ATTAIN_CURRENCY = "RMB"
    assert [e.id for e in currency_is_one_attain_pays_in()] == ["attain.W005"]
    settings.ATTAIN_CURRENCY = "HKD"
    assert currency_is_one_attain_pays_in() == []


# Races ------------------------------------------------------------------------------------


def test_a_second_setup_is_refused(db):
    services_company.set_up_company(
        values=values(), admin_username="a1", admin_email="a1@x.cn", admin_password="Quiet-Fox-771"
    )
    with pytest.raises(AlreadySetUp):
        services_company.set_up_company(
            values=values(),
            admin_username="a2",
            admin_email="a2@x.cn",
            admin_password="Quiet-Fox-772",
        )
    assert list(User.objects.values_list("username", flat=True)) == ["a1"]


def test_a_setup_that_loses_the_race_for_the_row_creates_no_login(db):
    # the other browser's transaction inserted the row; its admin is not visible yet
    services_company.store_company(None, values())
    with pytest.raises(AlreadySetUp):
        services_company.set_up_company(
            values=values(),
            admin_username="a2",
            admin_email="a2@x.cn",
            admin_password="Quiet-Fox-772",
        )
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_browsers_submitting_at_once_make_one_administrator():
    from django.db import OperationalError

    browsers = [Client(), Client()]
    for client in browsers:  # both reach the last step
        client.post(reverse("setup"), {"language": "en"})
        client.post(reverse("setup-company"), GOOD_COMPANY)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(number: int) -> None:
        start.wait()
        try:
            response = browsers[number].post(
                reverse("setup-admin"), {**GOOD_ADMIN, "admin_username": f"admin{number}"}
            )
            outcomes.append(response.get("Location") or str(response.status_code))
        except OperationalError:
            # the test database (SQLite in memory, shared cache) refuses a second writer
            # at once instead of waiting as a database file or PostgreSQL does
            outcomes.append("locked")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the loser is sent to sign in (or finds the database busy: 503, nothing written)
    assert set(outcomes) <= {reverse("onboarding"), reverse("login"), "503", "locked"}
    assert len(outcomes) == 2 and outcomes.count(reverse("onboarding")) <= 1
    # never two administrators, never an administrator without the settings or back
    assert User.objects.count() == CompanySettings.objects.count() <= 1
    if "locked" not in outcomes:
        assert User.objects.count() == 1


# Who reads the company settings -----------------------------------------------------------


def test_readers_follow_the_stored_settings_and_default_to_the_deployment(db, settings):
    settings.ATTAIN_FISCAL_YEAR_START = 7
    settings.ATTAIN_CURRENCY = "HKD"
    assert periods.fiscal_year_start() == 7
    assert company_module.company().currency == "HKD"
    assert company_module.company().time_zone == settings.TIME_ZONE
    services_company.store_company(
        None, values(fiscal_year_start=4, currency="USD", time_zone="Europe/Berlin")
    )
    assert periods.fiscal_year_start() == 4
    assert periods.year_bounds(2026) == (datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
    assert company_module.company().currency == "USD"
    assert str(company_module.company().zone) == "Europe/Berlin"


def test_pages_use_the_company_languages_and_name(company):
    services_company.store_company(None, values(languages=["zh-hans"]))
    client = Client()
    client.force_login(company.users["admin"])
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert "华东精密仪器有限公司" in body  # the title and the sidebar
    assert '<html lang="zh-hans">' in body  # English is not offered
    assert '<option value="en"' not in body


def test_requests_run_in_the_company_time_zone(db):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from attain.core.middleware import CompanyMiddleware

    services_company.store_company(None, values(time_zone="America/New_York"))
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    CompanyMiddleware(view)(RequestFactory().get("/"))
    assert seen == ["America/New_York"]
    assert timezone.get_current_timezone_name() != "America/New_York"  # only the request


def test_money_shows_the_company_currency(db):
    from django.utils import translation

    from attain.incentives.templatetags.incentives import money

    assert money("1234.5") == "¥1,234.50"
    services_company.store_company(None, values(currency="USD"))
    with translation.override("en"):
        assert money("1234.5") == "$1,234.50"


def test_money_has_the_places_of_the_company_currency(db):
    """Yen and won have no decimals: a Japanese company's payouts read ¥1,235, not
    ¥1,234.50, on every page, statement and explanation; the sign of a negative amount
    comes first, and one that rounds to nothing has none."""
    from django.template import Context, Template
    from django.utils import translation

    from attain.incentives import explain_text
    from attain.incentives.templatetags.incentives import money
    from attain.pay.models import amount_text
    from attain.pay.services_disputes import parse_amount

    services_company.store_company(None, values(currency="JPY"))
    with translation.override("en"):
        assert money("1234.5") == "¥1,235" and money("-1234.5") == "-¥1,235"
        assert money("-0.4") == "¥0"
        assert Template("{% load numbers %}{{ v|money }}").render(Context({"v": "1234.5"})) == (
            "1,235"
        )
        assert amount_text("99999.5") == "100,000"
        assert explain_text.money("7.5") == "8"
        with pytest.raises(services_company.ValidationError, match="whole JPY"):
            parse_amount("120.50")
        assert parse_amount("120") == 120

    CompanySettings.objects.update(currency="CNY")
    company_module.forget()
    with translation.override("zh-hans"):
        assert amount_text("1234.5") == "1,234.50" and money("-0.004") == "¥0.00"


def test_exports_carry_the_company_name(db):
    import io

    import openpyxl

    from attain.intake.exporter import rows_xlsx

    services_company.store_company(None, values())
    book = openpyxl.load_workbook(io.BytesIO(rows_xlsx([["a"], [1]], "register")))
    assert book.properties.creator == "华东精密仪器有限公司"


# The command line and the demo ------------------------------------------------------------


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_attain_setup_for_scripted_installs(db, monkeypatch, capsys, english):
    monkeypatch.setenv("ATTAIN_ADMIN_PASSWORD", "Lantern-Harbour-93")
    arguments = [
        "--company",
        "Acme 上海",
        "--fiscal-year-start",
        "4",
        "--currency",
        "CNY",
        "--time-zone",
        "Asia/Shanghai",
        "--admin-username",
        "ops",
        "--admin-email",
        "ops@acme.cn",
        "--no-input",
    ]
    with pytest.raises(CommandError, match="--currency: The currency"):
        call_command("setup", *[a if a != "CNY" else "CNX" for a in arguments])
    with pytest.raises(CommandError, match="--time-zone: "):
        call_command("setup", *[a if a != "Asia/Shanghai" else "Asia/Nowhere" for a in arguments])
    assert not CompanySettings.objects.exists()
    call_command("setup", *arguments)
    assert "Set up Acme 上海" in capsys.readouterr().out
    assert CompanySettings.objects.get().fiscal_year_start == 4
    assert User.objects.get().username == "ops"
    with pytest.raises(CommandError, match="set up already"):
        call_command("setup", *arguments)


def test_attain_setup_wants_a_password(db, monkeypatch, english):
    monkeypatch.delenv("ATTAIN_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ATTAIN_ADMIN_PASSWORD"):
        call_command(
            "setup", "--company", "X", "--admin-username", "a", "--admin-email", "a@x.cn",
            "--no-input",
        )  # fmt: skip
    monkeypatch.setenv("ATTAIN_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="ATTAIN_ADMIN_PASSWORD: This password is too short"):
        call_command(
            "setup", "--company", "X", "--admin-username", "a", "--admin-email", "a@x.cn",
            "--no-input",
        )  # fmt: skip


# The onboarding checklist -----------------------------------------------------------------


def test_the_onboarding_checklist_is_for_administrators_and_sales_ops(company):
    client = Client()
    for role, status in {"admin": 200, "sales_ops": 200, "manager": 403, "rep": 403}.items():
        client.force_login(company.users[role])
        assert client.get(reverse("onboarding")).status_code == status, role
    client.force_login(company.users["admin"])
    steps = client.get(reverse("onboarding")).context["steps"]
    assert [step.done for step in steps] == [True, False, False]  # the fixture has an org
    page = client.get(f"{reverse('intake')}?table=people").content.decode()
    assert 'value="people" selected' in page


def test_languages_are_read_in_any_case_and_an_unknown_one_is_named(db):
    """`attain setup --languages zh-Hans,en` (the locale's own spelling) was refused with
    "choose at least one of the languages", as was a list with one typo: the message
    never said which code was wrong."""
    assert values(languages=["zh-Hans", " EN "], language="ZH-hans").languages == (
        "zh-hans",
        "en",
    )
    assert values(languages=["zh-Hans", "en"], language="ZH-hans").language == "zh-hans"
    with pytest.raises(services_company.ValidationError) as caught:
        values(languages=["zh-hans", "fr"])
    (message,) = caught.value.message_dict["languages"]
    assert "“fr”" in message and "zh-hans, en" in message


@pytest.mark.parametrize("languages", [["zh-hans", "fr"], []])
def test_the_languages_offered_are_listed_the_readers_way(db, languages):
    """The refusal of an unknown language joined the unknown codes with the reader's
    list separator (、 in Chinese) but the languages offered with ", " in any language."""
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(services_company.ValidationError) as caught:
        values(languages=languages)
    (message,) = caught.value.message_dict["languages"]
    assert "zh-hans、en" in message, message


def test_the_checklist_in_english_has_no_chinese_word(db):
    """An English-speaking administrator read "people with their 工号" on Getting started."""
    import re

    client = Client()
    run_wizard(client, language="en")
    steps = client.get(reverse("onboarding")).context["steps"]
    words = [str(step.title) + str(step.text) for step in steps]
    words += [item.label + item.action for step in steps for item in step.items]
    assert not [w for w in words if re.search("[\u4e00-\u9fff]", w)]


def test_the_company_settings_page_offers_languages_and_months_to_choose(db):
    """Administration → Company settings showed the languages offered as a JSON text
    box (["zh-hans", "en"]; anything else "Enter a valid JSON") and the fiscal year's
    first month as a bare number: the wizard's check boxes and months are offered now."""
    client = Client()
    run_wizard(client)
    url = reverse("admin:org_companysettings_change", args=[CompanySettings.objects.get().pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'type="checkbox" name="languages" value="en"' in page and "<textarea" not in page
    assert '<option value="4" selected>四月</option>' in page
    data = {
        "name": "华东精密仪器有限公司",
        "fiscal_year_start": "7",
        "currency": "CNY",
        "time_zone": "Asia/Shanghai",
        "languages": ["en"],
        "language": "en",
    }
    assert client.post(url, data).status_code == 302
    row = CompanySettings.objects.get()
    assert row.languages == ["en"] and row.fiscal_year_start == 7 and row.language == "en"
    refused = client.post(url, {**data, "languages": ["zh-hans"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "JSON" not in refused.content.decode()


def test_changing_the_fiscal_year_or_time_zone_warns_that_results_are_stale(db, settings):
    """Results, targets and pay periods already calculated keep the fiscal year and time
    zone they were counted with: after a change the rep's 2026-Q3 still showed July –
    September while the period meant October – December, and nothing said to calculate
    again. Saving such a change now says so; a change of name alone says nothing."""
    client = Client()
    run_wizard(client)
    url = reverse("admin:org_companysettings_change", args=[CompanySettings.objects.get().pk])
    data = {
        "name": "华东精密仪器有限公司",
        "fiscal_year_start": "4",
        "currency": "CNY",
        "time_zone": "Asia/Shanghai",
        "languages": ["zh-hans", "en"],
        "language": "zh-hans",
    }
    renamed = client.post(url, {**data, "name": "华东精密"}, follow=True)
    assert "重新计算" not in renamed.content.decode()
    moved = client.post(url, {**data, "fiscal_year_start": "7"}, follow=True)
    page = moved.content.decode()
    assert "财年现在从七月开始" in page and "激励方案" in page and "重新计算" in page
    zoned = client.post(
        url, {**data, "fiscal_year_start": "7", "time_zone": "America/New_York"}, follow=True
    )
    assert "America/New_York" in zoned.content.decode()
    assert "财年现在" not in zoned.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(url, {**data, "fiscal_year_start": "1"}, follow=True)
    assert "The fiscal year now starts in January" in english.content.decode()
