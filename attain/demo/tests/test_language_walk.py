"""Every page, as every role, in English and in Chinese, read as text: the language walk.

The browser walk (test_browser_walk) reads the Chinese pages for English words. This walk
reads the server's HTML with Django's test client, without a browser, for what that one
does not look at:

* Chinese in the English interface: a run of Chinese characters that is neither data
  (any text of the database) nor one of the glosses the English text gives on purpose
  (the language switch's 简体中文, a Chinese term explained in brackets);
* English punctuation in Chinese: an ASCII comma, colon or semicolon right after a
  Chinese character, or ASCII brackets around Chinese, outside data (a stage change read
  "运维服务: 方案 → 报价", a limit "1.05 倍 (每个组织单元上限 1.25 倍)");
* one of a plural in English: "1 statements", "of 1 reps", outside data;
* numbers not grouped in either language: a number of five digits or more before the
  point written without its thousands separator (1234567.50 for 1,234,567.50), outside
  code, inputs and data. The figures a chart draws are read too (its series names and
  categories must be in the page's language).

It follows links from the home page as test_browser_walk does (one address per URL
pattern and role).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404

from .test_browser_walk import ROLES, SKIPPED_PREFIXES, demo_company  # noqa: F401

pytestmark = pytest.mark.slow

CHINESE = re.compile(r"[\u3400-\u9fff]+")
UNGROUPED = re.compile(r"(?<![\w.,/:#+-])\d{5,}(?:\.\d+)?(?![\w/-])")
# Chinese the English pages give on purpose: the language switch, terms glossed in brackets.
GLOSSES = {"简体中文", "企业微信", "钉钉", "飞书", "复盘", "短板", "工号"}
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "template", "textarea"}
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "area", "base", "wbr"}
CHART = re.compile(r'<script id="chart-[^"]*" type="application/json">(.*?)</script>', re.S)
CHART_WORDS = {"name", "data", "text"}  # keys whose text a chart shows
HAN = "\u3400-\u9fff"
ASCII_IN_CHINESE = re.compile(
    rf"[{HAN}][,;:](?=\s|$|[{HAN}])"  # 运维服务: 方案
    rf"|[{HAN}] ?\([^()]*[{HAN}][^()]*\)|\([^()]*[{HAN}][^()]*\) ?[{HAN}]"  # 倍 (每个…)
)
ONE_OF_MANY = re.compile(r"(?<![\d.,])\b1 (?!of\b)[a-z]+s\b")


class _Page(HTMLParser):
    """A page's visible text (code apart), its labelling attributes and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.labels: list[str] = []  # placeholders, titles: Chinese checked, numbers not
        self.links: list[str] = []
        self.hidden: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in VOID:
            classes = (found.get("class") or "").split()
            self.hidden.append(tag in SKIPPED_TAGS or "mono" in classes)
        if tag == "a" and found.get("href") and "download" not in found:
            self.links.append(found["href"] or "")
        for name in ("placeholder", "title", "aria-label"):
            if found.get(name) and not any(self.hidden):
                self.labels.append(found[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.hidden:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.hidden):
            self.text.append(data)


def _chart_text(body: str) -> list[str]:
    found: list[str] = []

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in CHART_WORDS:
            found.append(value)

    for script in CHART.findall(body):
        walk(json.loads(script), None)
    return found


def _data() -> str:
    """Every text of the database, one value a line."""
    values: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith(("attain.", "django.contrib.auth")):
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.EmailField) and f.concrete
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                values.extend(str(v) for v in row if v)
    return "\n".join(values)


def _walk(role: str, language: str, data: str) -> dict[str, list[str]]:
    from attain.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=role))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    problems: dict[str, list[str]] = defaultdict(list)
    queue, seen, routes = ["/", "/search/?q=a"], set(), set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or path.lstrip("/").startswith(SKIPPED_PREFIXES):
            continue
        seen.add(url)
        try:
            route = str(resolve(path).route)
        except Resolver404:
            continue
        if route in routes:
            continue
        routes.add(route)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        page = _Page()
        page.feed(body)
        text = re.sub(r"\s+", " ", " ".join(page.text + _chart_text(body)))
        labels = " ".join(page.labels)
        where = f"{role} {language} {url}"
        if language == "en":
            found = CHINESE.findall(f"{text} {labels}")
            chinese = {c for c in found if c not in GLOSSES and c not in data}
            if chinese:
                problems[where].append("Chinese: " + " ".join(sorted(chinese)[:10]))
        else:
            found = {m.group(0) for m in ASCII_IN_CHINESE.finditer(text)}
            if found := {f for f in found if f not in data}:
                problems[where].append("English punctuation: " + " ".join(sorted(found)[:10]))
        # within one run of text: "1" ending a table cell beside a cell "measures" (an
        # audit event's version, then its measures field) is no plural
        plural = {
            p
            for chunk in page.text
            for p in ONE_OF_MANY.findall(re.sub(r"\s+", " ", chunk))
            if p not in data
        }
        if language == "en" and plural:
            problems[where].append("one of a plural: " + " ".join(sorted(plural)[:10]))
        numbers = {n for n in UNGROUPED.findall(text) if n not in data}
        if numbers:
            problems[where].append("not grouped: " + " ".join(sorted(numbers)[:10]))
        for link in page.links:
            split = urlsplit(link)
            if not split.netloc and split.path.startswith("/"):
                queue.append(split.path + (f"?{split.query}" if split.query else ""))
    return problems


def test_every_page_in_both_languages_keeps_to_its_language_and_groups_numbers(
    demo_company,  # noqa: F811
) -> None:
    data = _data()
    problems: dict[str, list[str]] = {}
    for role in ROLES:
        for language in ("en", "zh-hans"):
            problems.update(_walk(role, language, data))
    report = "\n".join(f"{where}: {'; '.join(found)}" for where, found in sorted(problems.items()))
    assert not problems, f"{len(problems)} pages with problems:\n{report}"
