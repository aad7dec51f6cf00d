"""Helpers for tests of any app above the organisation."""

from __future__ import annotations

from . import company as company_module
from . import services_company
from .models import CompanySettings


def set_company_time_zone(zone: str) -> None:
    """Store the company's time zone (its settings made first when there are none)."""
    if CompanySettings.objects.exists():
        CompanySettings.objects.update(time_zone=zone)
    else:
        services_company.store_company(
            None,
            services_company.clean_company(
                name="Co",
                fiscal_year_start="1",
                currency="CNY",
                time_zone=zone,
                languages=["zh-hans", "en"],
            ),
        )
    company_module.forget()
