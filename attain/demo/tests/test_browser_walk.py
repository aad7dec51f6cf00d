"""Every page, as every role, in Chinese, on a phone: the walk.

A small demo company (the demo generator at its smallest, with its CRM history, target
plan and incentive plans calculated) is served by the live server. For each role, Chromium
(zh-CN, 390 × 844) signs in with the demo login and follows the navigation from the home
page: every same-site link it finds, one address per URL pattern (so a detail page is
visited with a real object). Each page visited fails the walk on

* English outside data: a word of three or more ASCII letters in the visible text (and in
  placeholders, titles and button labels) that is neither in the data of the database
  (names, codes, descriptions: every text column that is not a choice; what the audit
  trail recorded) nor a technical token (units such as CNY, file formats, the product's
  name), code shown as code (``<code>``, ``.mono``) apart;
* horizontal overflow at 390 px (``scrollWidth > innerWidth``);
* any console error or uncaught page error.

At the end every page pattern of the URLconf must have been visited by some role, except
the ones listed in NOT_WALKED with the reason (actions answering POST only, downloads,
the sign-in and password-reset pages walked separately, the API and Django's admin).

It lives with the demo because it walks the demo company (the demo sits above every app in
the layers, so only it may load the demo's data).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404

from attain.conftest import PHONE

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROLES = ("admin", "ops", "finance", "exec", "manager", "rep")  # the demo logins
WORD = re.compile(r"[A-Za-z]{3,}")
# Tokens that are technical, not language: units, formats, protocols, the product.
TECHNICAL = {
    "attain",
    "cny",
    "usd",
    "eur",
    "hkd",
    "csv",
    "xlsx",
    "pdf",
    "yaml",
    "json",
    "api",
    "html",
    "http",
    "https",
    "url",
    "crm",
    "kpi",
    "spiff",
    "excel",
    "www",
    "com",
    "gbk",
    "utf",
    "english",  # the language switch names each language in itself
    "webhook",  # what WeCom, DingTalk and Feishu call their robots' address in Chinese too
}
# URL patterns (by route) not reached by following links, with the reason.
NOT_WALKED = {
    "notifications/read/": "answers POST (marks notifications read)",
    "notifications/webhooks/<int:pk>/test/": "answers POST (sends a test message)",
    "intake/<int:pk>/retry/": "answers POST (a failed import run again)",
    "integrity/scan/": "answers POST (starts a scan)",
    "integrity/<int:pk>/": "an alert exists only after a scan, which the walk's demo does not run",
    "i18n/setlang/": "the language switch answers POST",
    "login/": "walked before signing in (test_sign_in_page_in_chinese)",
    "logout/": "answers POST",
    "sso/start/": "single sign-on, off in the demo (core test_sso: the flow end to end)",
    "sso/callback/": "single sign-on, off in the demo (core test_sso: the flow end to end)",
    "sw.js": "the service worker, a script every page registers (crm test_browser_phone)",
    "setup/": "the first-run setup, gone once set up (core test_setup, test_browser_setup)",
    "setup/company/": "the first-run setup, gone once set up (core test_browser_setup)",
    "setup/admin/": "the first-run setup, gone once set up (core test_browser_setup)",
    "accounts/password-reset/": "walked before signing in (test_sign_in_page_in_chinese)",
    "accounts/password-reset/sent/": "after a reset request (accounts tests)",
    "accounts/password-reset/<uidb64>/<token>/": "needs a mailed token (accounts tests)",
    "accounts/password-reset/done/": "after a reset (accounts tests)",
    "crm/evidence/<int:pk>/": "a download of an uploaded file",
    "pay/disputes/files/<int:pk>/": "a download of a file sent with a dispute",
    "pay/statements/sets/<int:pk>/": "a set exists once statements are generated (pay tests)",
    "pay/statements/<int:pk>/pdf/": "a download (pay test_statements reads it back)",
    "pay/statements/<int:pk>/acknowledge/": "answers POST",
    "crm/orders/<record_id:external_id>/status/": "answers POST",
    "crm/opportunities/<record_id:external_id>/move/": (
        "answers POST (a card of the pipeline board)"
    ),
    "crm/tickets/<record_id:external_id>/": "answers POST",
    "crm/reminders/<int:pk>/done/": "answers POST",
    "intake/<int:pk>/preview/": "needs an uploaded file (intake browser test)",
    "intake/<int:pk>/": "needs an import batch (intake browser test)",
    "intake/<int:pk>/rejects/": "a download (an import's rejected rows)",
    "intake/export/<str:table>.<str:fmt>": "a download",
    "targets/<int:pk>/settings/": "answers POST",
    "targets/<int:pk>/cell/": "answers POST",
    "targets/<int:pk>/do/<slug:action>/": "answers POST",
    "targets/<int:pk>/acknowledge/": "answers POST",
    "targets/<int:pk>/commit/": "answers POST",
    "targets/<int:pk>/export.xlsx": "a download",
    "targets/<int:pk>/import/": "answers POST",
    "targets/<int:pk>/reallocate/": "answers POST",
    "targets/<int:pk>/reallocations/<int:proposal>/<slug:decision>/": "answers POST",
    "performance/estimate/<slug:code>/<str:period>/": "answers POST",
    "performance/plans/<slug:code>/v<int:number>/activate/": "answers POST",
    "performance/plans/<slug:code>/v<int:number>/do/<slug:action>/": "answers POST",
    "performance/plans/<slug:code>/v<int:number>.yaml": "a download",
    "performance/runs/": "answers POST",
    "performance/effectiveness/what-if/": "answers POST (starts a what-if)",
    "performance/effectiveness/what-if/<int:pk>/": (
        "a what-if exists only once one is run (incentives test_browser_effectiveness)"
    ),
    "search/pick/<slug:kind>/": "an htmx fragment: the options of a picker (core tests)",
    "reviews/open/": "answers POST",
    "reviews/<int:pk>/prepare/": "answers POST",
    "reviews/<int:pk>/close/": "answers POST",
    "reviews/<int:pk>/people/<slug:code>/comment/": "answers POST",
    "reviews/<int:pk>/people/<slug:code>/action/": "answers POST",
    "reviews/actions/<int:pk>/tick/": "answers POST",
}
# Pages reached by a form rather than a link, walked from these addresses too.
FORM_STARTS = ("/search/?q=a",)
SKIPPED_PREFIXES = ("api/", "admin/", "static/")
# Text columns holding codes that pages show by a translated label: not data words.
LABELLED_COLUMNS = {"org.Assignment.title"}  # job roles (org_tags.job_title)


def page_routes() -> dict[str, str]:
    """Every route of the URLconf (API and admin apart): route → view name."""

    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name or ""

    return {
        route: name
        for route, name in walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    }


def route_of(path: str) -> str | None:
    from django.urls import resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return str(match.route)


def data_words() -> set[str]:
    """Every word of every text column in the database that is data, not a label: choice
    columns are left out (their labels are interface text and must be translated)."""
    words: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("attain.") or model._meta.app_label == "audit":
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.EmailField)
            and not f.choices
            and f.concrete
            and f"{model._meta.label}.{f.name}" not in LABELLED_COLUMNS
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                if value:
                    words.update(w.lower() for w in WORD.findall(str(value)))
    from attain.accounts.models import User
    from attain.audit.models import AuditEvent

    # who did it and to what, as recorded at the time (the trail is a record, not labels)
    for row in AuditEvent.objects.values_list("actor_name", "object_repr", "reason"):
        for value in row:
            words.update(w.lower() for w in WORD.findall(value or ""))
    for username in User.objects.values_list("username", flat=True):
        words.update(w.lower() for w in WORD.findall(username))
    return words


# Code (identifiers, formulas, file and table names shown as code) is technical: its text
# is taken out of the page's before the words are read.
VISIBLE_TEXT = """() => {
  let text = document.body.innerText;
  for (const el of document.querySelectorAll('code, pre, kbd, samp, .mono')) {
    const t = el.innerText; if (t) text = text.split(t).join(' ');
  }
  const parts = [document.title, text];
  const labelled = '[placeholder],[title],[aria-label],input[type=submit],input[type=button]';
  for (const el of document.querySelectorAll(labelled)) {
    if (el.closest('[hidden]')) continue;
    for (const a of ['placeholder', 'title', 'aria-label', 'value']) {
      // an input button shows its value; a <button>'s value is data, its text is shown
      const shown = el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'button');
      if (a === 'value' && !shown) continue;
      const v = el.getAttribute(a); if (v) parts.push(v);
    }
  }
  return parts.join('\\n');
}"""
OVERFLOW = """() => {
  const d = document.documentElement;
  if (d.scrollWidth <= window.innerWidth) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !el.closest('.scroll')) {
      const cls = typeof el.className === 'string' && el.className
        ? '.' + el.className.split(' ').join('.') : '';
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls);
      if (wide.length > 4) break;
    }
  }
  return d.scrollWidth + 'px: ' + wide.join(', ');
}"""
# Ids the page repeats, and ids an aria-describedby or aria-labelledby names but the page
# lacks (a help text rendered without its id leaves the field's description dangling).
IDS = """() => {
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  const repeated = [...ids].filter(([, n]) => n > 1).map(([id]) => id);
  const dangling = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const name of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(name) || '').split(/\\s+/).filter(Boolean)) {
        if (!ids.has(id)) dangling.push(id);
      }
    }
  }
  return [repeated, dangling];
}"""
LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""


@pytest.fixture
def demo_company(transactional_db: None) -> None:
    from attain.demo.crm import load_crm_demo
    from attain.demo.generator import DEFAULT_SEED, MIN_PEOPLE, generate
    from attain.incentives.demo import load_demo_incentives
    from attain.measures.defaults import default_fields
    from attain.measures.models import Measure
    from attain.reviews.demo import load_demo_reviews
    from attain.targets.demo import load_demo_targets

    # a transactional test before this one may have flushed the migrations' measures
    if not Measure.objects.exists():
        Measure.objects.bulk_create(Measure(**fields) for fields in default_fields())
    generate(people=MIN_PEOPLE, seed=DEFAULT_SEED, echo=None)
    load_crm_demo(seed=DEFAULT_SEED, echo=None)
    load_demo_targets(echo=None)
    load_demo_incentives(echo=None)
    load_demo_reviews(echo=None)
    from attain.pay.demo import load_demo_disputes

    load_demo_disputes(echo=None)


class Walk:
    def __init__(self, live_server: Any, allowed: set[str]) -> None:
        self.base = live_server.url
        self.allowed = allowed
        self.problems: dict[str, list[str]] = defaultdict(list)
        self.visited: dict[str, set[str]] = defaultdict(set)  # route → roles

    def problem(self, role: str, url: str, text: str) -> None:
        self.problems[f"{role} {url}"].append(text)

    def english(self, text: str) -> list[str]:
        return sorted({w for w in WORD.findall(text) if w.lower() not in self.allowed})

    def role(self, browser: Any, role: str) -> None:
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{self.base}/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{self.base}/")
        queue = [f"{self.base}/", *(f"{self.base}{path}" for path in FORM_STARTS)]
        seen_routes: set[str] = set()
        seen_urls: set[str] = set()
        while queue:
            url = queue.pop(0)
            if url in seen_urls:
                continue
            seen_urls.add(url)
            parts = urlsplit(url)
            if parts.path.lstrip("/").startswith(SKIPPED_PREFIXES):
                continue
            route = route_of(parts.path)
            if route is None or route in seen_routes or route in NOT_WALKED:
                continue
            seen_routes.add(route)
            errors.clear()
            try:
                response = page.goto(url, wait_until="load")
            except Exception as error:  # a download
                if "Download is starting" in str(error):
                    continue
                raise
            status = response.status if response else 0
            if status == 403:  # a link shown to a role that may not follow it
                self.problem(role, url, "a link leads to a refusal (403)")
                continue
            if status >= 400:
                self.problem(role, url, f"status {status}")
                continue
            page.wait_for_function("() => !document.querySelector('.htmx-request')")
            self.visited[route].add(role)
            words = self.english(page.evaluate(VISIBLE_TEXT))
            if words:
                self.problem(role, url, "English: " + " ".join(words[:25]))
            wide = page.evaluate(OVERFLOW)
            if wide:
                self.problem(role, url, f"wider than 390 px: {wide}")
            if errors:
                self.problem(role, url, "console: " + " | ".join(errors[:3]))
            repeated, dangling = page.evaluate(IDS)
            if repeated:
                self.problem(role, url, "ids used twice: " + " ".join(repeated[:5]))
            if dangling:
                self.problem(role, url, "aria names missing ids: " + " ".join(dangling[:5]))
            for link in page.evaluate(LINKS):
                split = urlsplit(link)
                skipped = split.path.lstrip("/").startswith(SKIPPED_PREFIXES)
                if split.netloc == parts.netloc and not skipped:
                    queue.append(
                        f"{self.base}{split.path}" + (f"?{split.query}" if split.query else "")
                    )
        context.close()


def test_every_page_as_every_role_in_chinese_on_a_phone(demo_company, live_server, browser):
    walk = Walk(live_server, data_words() | TECHNICAL)
    for role in ROLES:
        walk.role(browser, role)
    routes = page_routes()
    missing = sorted(r for r in routes if r not in walk.visited and r not in NOT_WALKED)
    stale = sorted(r for r in NOT_WALKED if r not in routes)
    report = "\n".join(
        f"{where}: {'; '.join(found)}" for where, found in sorted(walk.problems.items())
    )
    failures = [f"{len(walk.problems)} pages with problems:\n{report}"] if walk.problems else []
    if missing:
        failures.append(f"pages no role reached by the navigation: {missing}")
    if stale:
        failures.append(f"NOT_WALKED names routes that no longer exist: {stale}")
    assert not failures, "\n".join(failures)


def test_sign_in_page_in_chinese(transactional_db, live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    found = {}
    for path in ("/login/", "/accounts/password-reset/"):
        page.goto(f"{live_server.url}{path}")
        text = page.evaluate(VISIBLE_TEXT)
        words = sorted({w for w in WORD.findall(text) if w.lower() not in TECHNICAL})
        found[path] = (words, page.evaluate(OVERFLOW), list(errors))
    context.close()
    assert found == {path: ([], None, []) for path in found}
