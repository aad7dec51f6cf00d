"""Commands count days in the company's time zone, as requests and tasks do."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from attain.org import company as company_module
from attain.org.commands import CompanyCommand
from attain.org.testing import set_company_time_zone

ATTAIN = Path(__file__).resolve().parents[2]


class _Today(CompanyCommand):
    def handle(self, *args: Any, **options: Any) -> str:
        return f"{timezone.get_current_timezone_name()} {timezone.localdate().isoformat()}"


def _at(monkeypatch: Any, moment: str) -> None:
    fixed = datetime.datetime.fromisoformat(moment)
    monkeypatch.setattr(timezone, "now", lambda: fixed)


def test_a_command_counts_today_in_the_company_time_zone(company, settings, monkeypatch):
    # 2026-03-31 20:00 in UTC is already 1 April in Shanghai: a server kept in UTC ran
    # `attain notify` or `attain pay` on the last day of March
    settings.TIME_ZONE = "UTC"
    set_company_time_zone("Asia/Shanghai")
    _at(monkeypatch, "2026-03-31T20:00:00+00:00")
    assert call_command(_Today()) == "Asia/Shanghai 2026-04-01"
    assert timezone.get_current_timezone_name() == "UTC"  # only while the command runs


def test_before_setup_a_command_counts_in_the_deployment_zone(db, settings, monkeypatch):
    settings.TIME_ZONE = "UTC"
    company_module.forget()
    _at(monkeypatch, "2026-03-31T20:00:00+00:00")
    assert call_command(_Today()) == "UTC 2026-03-31"


def test_every_command_that_reads_the_clock_is_a_company_command():
    clock = re.compile(r"\b(localdate|localtime|timezone\.now)\(")
    found = [
        str(path.relative_to(ATTAIN))
        for path in sorted(ATTAIN.glob("*/management/commands/*.py"))
        if clock.search(text := path.read_text(encoding="utf-8")) and "(CompanyCommand)" not in text
    ]
    assert found == []
