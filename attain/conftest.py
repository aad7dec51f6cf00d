"""Shared fixtures: a small company with one login per role.

hq 总部
├── east 华东 ── m1 (manager login "m1")
│                ├── r1 (rep login "r1")
│                ├── r2
│                └── m2 (manager) ── r3
└── west 华西 ── m3 (manager) ── r4
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from attain.accounts.models import Role, User
from attain.accounts.testing import LOGINS as LOGINS  # each role's login
from attain.org import services
from attain.org.models import Person, Unit

START = datetime.date(2024, 1, 1)


@dataclass
class Company:
    hq: Unit
    east: Unit
    west: Unit
    people: dict[str, Person]
    users: dict[str, User]


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts and ends in the default language: a request (LocaleMiddleware)
    or a service that writes in a person's language leaves its language active on the
    thread, and a later test would read Chinese where it expects English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def company(db: None) -> Company:
    hq = services.create_unit(None, code="hq", name="总部")
    east = services.create_unit(None, code="east", name="华东", parent=hq)
    west = services.create_unit(None, code="west", name="华西", parent=hq)
    people: dict[str, Person] = {}

    def hire(code: str, unit: Unit, title: str, manager: str | None = None) -> None:
        people[code] = services.create_person(
            None,
            code=code,
            name=code.upper(),
            unit=unit,
            title=title,
            start=START,
            manager=people[manager] if manager else None,
        )

    hire("m1", east, "manager")
    hire("r1", east, "rep", "m1")
    hire("r2", east, "rep", "m1")
    hire("m2", east, "manager", "m1")
    hire("r3", east, "rep", "m2")
    hire("m3", west, "manager")
    hire("r4", west, "rep", "m3")
    users = {
        role: services.create_login(
            None,
            username=username,
            role=Role(role),
            password=password,
            person=people.get(username),  # m1 and r1 are people; the others are not
        )
        for role, (username, password) in LOGINS.items()
    }
    for person in people.values():
        person.refresh_from_db()
    return Company(hq=hq, east=east, west=west, people=people, users=users)


# Browser tests: Debian's Chromium driven by Playwright (its own download is not used).
CHROMIUM = os.environ.get("ATTAIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module. Playwright keeps an event loop in this thread while
    it runs, so Django's async-safety check is lifted for the module's ORM calls (they
    stay synchronous) and restored after."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


PHONE = {"width": 390, "height": 844}  # a phone's screen, in CSS pixels


def client_for(company: Company, role: str | None) -> Any:
    """A Django test client signed in as ``role``'s login of the shared company
    (``None`` or ``anonymous``: signed in as nobody)."""
    from django.test import Client

    client = Client()
    if role is not None and role != "anonymous":
        client.force_login(company.users[role])
    return client


def api_client_for(company: Company, role: str = "admin") -> Any:
    """A REST framework test client authenticated as ``role``'s login of the shared
    company."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(company.users[role])
    return client


def login(client: Any, role: str) -> Any:
    """Django's test ``client`` signed in with ``role``'s login and password."""
    username, password = LOGINS[role]
    assert client.login(username=username, password=password)
    return client


def sign_in(
    browser: Any, live_server: Any, role: str, locale: str = "en-US", *, phone: bool = False
) -> Any:
    """A new browser context signed in as ``role``'s login: (context, page). With
    ``phone``, a touch phone's (:data:`PHONE`, mobile, touch) that taps the form's button."""
    username, password = LOGINS[role]
    touch = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(locale=locale, **touch)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    press = page.tap if phone else page.click
    press("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


# Role × action tables (each app's tests/test_access.py) --------------------------------

# The columns of every access table: each role of accounts.Role, then no login at all.
ROLE_COLUMNS = ("admin", "sales_ops", "finance", "executive", "manager", "rep", "anonymous")


def role_cases(table: str) -> list[tuple[str, str, bool]]:
    """(action, role, allowed) for every cell of a table written as text: a header line
    naming the columns, then one line per action with ``Y`` or ``-`` under each of
    :data:`ROLE_COLUMNS`."""
    header, *rows = [line.split() for line in table.strip().splitlines()]
    assert tuple(header[1:]) == ROLE_COLUMNS, header
    assert {c for c in ROLE_COLUMNS if c != "anonymous"} == set(Role.values)
    cases = []
    for action, *cells in rows:
        assert len(cells) == len(ROLE_COLUMNS) and set(cells) <= {"Y", "-"}, action
        cases.extend(
            (action, role, cell == "Y") for role, cell in zip(ROLE_COLUMNS, cells, strict=True)
        )
    return cases


def page_statuses(table: str, action: str) -> dict[str, int]:
    """What each login should get from the page of ``action``: 200 where the table allows
    it, 403 elsewhere."""
    return {
        role: 200 if allowed else 403
        for name, role, allowed in role_cases(table)
        if name == action and role != "anonymous"
    }


def statuses_of(client: Any, company: Company, url: str) -> dict[str, int]:
    """The status of ``url`` for each login of the shared company."""
    found = {}
    for role, user in company.users.items():
        client.force_login(user)
        found[role] = client.get(url).status_code
    return found


def user_of(company: Company, role: str) -> object:
    """The login of ``role`` in the shared company (``anonymous``: no login)."""
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if role == "anonymous" else company.users[role]
