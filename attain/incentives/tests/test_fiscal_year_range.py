"""A calculation of a fiscal year with no data and far from today (`attain calculate
1999`, or 3000, a typo) is refused before a run is created, with the years that may be
calculated: from the year before the first record to the year after this one. The
service decides, so the command, the API and the page say the same."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from attain.calc.periods import fiscal_year_of_day
from attain.conftest import login
from attain.incentives import services
from attain.incentives.models import CalculationRun

FIRST = 2023  # the shared company's people start on 2024-01-01: the year before


def _last() -> int:
    return fiscal_year_of_day(timezone.localdate()) + 1


def _said(year: int) -> str:
    return (
        f"There is no data for fiscal year {year}: calculate a fiscal year from {FIRST} "
        f"to {_last()} (the year before the first record to the year after this one)."
    )


@pytest.mark.parametrize("year", [1999, FIRST - 1, 3000])
def test_the_service_refuses_a_year_far_from_the_data(company, year):
    with pytest.raises(ValidationError) as refused:
        services.start_calculation(company.users["sales_ops"], year)
    assert refused.value.message_dict == {"fiscal_year": [_said(year)]}
    with pytest.raises(ValidationError):
        services.run_calculation(None, year)
    assert not CalculationRun.objects.exists()


def test_the_year_before_the_first_record_and_after_this_one_may_be_calculated(company):
    for year in (FIRST, _last()):
        run = services.start_calculation(company.users["sales_ops"], year)
        assert run.fiscal_year == year
    with pytest.raises(ValidationError):
        services.start_calculation(company.users["sales_ops"], _last() + 1)


@pytest.mark.parametrize("where", [[], ["--here"]])
def test_the_command_says_which_years(company, where):
    with pytest.raises(CommandError) as raised:
        call_command("calculate", "1999", *where)
    assert raised.value.returncode == 2
    assert str(raised.value) == _said(1999)
    assert not CalculationRun.objects.exists()


def test_the_api_and_the_page_say_which_years(client, company):
    login(client, "sales_ops")
    answer = client.post(
        "/api/calculation-runs/", {"fiscal_year": 3000}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["fiscal_year"] == [_said(3000)]
    page = client.post(reverse("incentives:start_run"), {"year": "1999"}, follow=True)
    assert _said(1999) in page.content.decode()
    htmx = client.post(reverse("incentives:start_run"), {"year": "1999"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and _said(1999) in htmx.content.decode()
    assert not CalculationRun.objects.exists()


def test_in_chinese(company):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.start_calculation(company.users["sales_ops"], 1999)
    said = refused.value.message_dict["fiscal_year"][0]
    assert "1999" in said and str(FIRST) in said and "没有数据" in said
