"""The data fingerprint names the calendar the data is counted in (docs/architecture.md,
"A calculation"): pace or a forecast computed with a fiscal year from January is never
kept under the key of the same data counted from April."""

from __future__ import annotations

import pytest

from attain.calc.cache import data_fingerprint, stored_fingerprint
from attain.org import company
from attain.org.models import CompanySettings


@pytest.mark.django_db
def test_the_fingerprint_changes_with_the_fiscal_year_and_the_time_zone() -> None:
    CompanySettings.objects.create(
        name="Acme",
        fiscal_year_start=1,
        currency="CNY",
        time_zone="Asia/Shanghai",
        languages=["zh-hans", "en"],
        language="zh-hans",
    )
    company.forget()
    january, stored = data_fingerprint(), stored_fingerprint()
    # written as another process would (no audit event here): only the calendar changes
    CompanySettings.objects.update(fiscal_year_start=4)
    company.forget()
    april = data_fingerprint()
    assert april != january and stored_fingerprint() != stored
    CompanySettings.objects.update(fiscal_year_start=1, time_zone="America/New_York")
    company.forget()
    assert data_fingerprint() not in (january, april)
