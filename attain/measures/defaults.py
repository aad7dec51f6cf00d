"""The measures most sales organisations start with, over the record tables of
:mod:`attain.calc.tables`. The one list: the initial data migration creates them, and a
target plan naming one that is not defined (any more) falls back to it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

# code, name, table, value, where, agg, person field, higher is better
# fmt: off
DEFAULTS = [  # one measure per line
    ("revenue", "销售额 Revenue", "orders", "amount", "status == 'confirmed'", "sum", "owner", True),  # noqa: E501
    ("collected", "回款 Collections", "payments", "amount", "", "sum", "collector", True),
    ("new_customers", "新客户 New customers", "customers", "1", "", "count", "owner", True),
    ("visits", "拜访 Visits", "activities", "1", "kind == 'visit'", "count", "owner", True),
    ("activities", "客户活动 Activities", "activities", "1", "", "count", "owner", True),
    ("satisfaction", "客户满意度 Satisfaction", "surveys", "score", "", "avg", "owner", True),
    ("complaints", "投诉 Complaints", "tickets", "1", "kind == 'complaint'", "count", "owner", False),  # noqa: E501
    ("training", "培训成绩 Training", "training", "score", "", "avg", "owner", True),
    ("collaboration", "协作评分 Collaboration", "peer_ratings", "score", "", "avg", "owner", True),
]
# fmt: on

# The default measures' names in one language, for the reader: a default name is stored
# in both (销售额 Revenue) and an English or a Chinese page shows its own half. A name
# the company changed is shown as it is.
READER_NAMES = {
    "revenue": pgettext_lazy("measure", "Revenue"),
    "collected": pgettext_lazy("measure", "Collections"),
    "new_customers": pgettext_lazy("measure", "New customers"),
    "visits": pgettext_lazy("measure", "Visits"),
    "activities": pgettext_lazy("measure", "Activities"),
    "satisfaction": pgettext_lazy("measure", "Satisfaction"),
    "complaints": pgettext_lazy("measure", "Complaints"),
    "training": pgettext_lazy("measure", "Training"),
    "collaboration": pgettext_lazy("measure", "Collaboration"),
}
_STORED_NAMES = {code: name for code, name, *_ in DEFAULTS}


def reader_name(code: str, name: str) -> str:
    """A measure's name as the reader's page shows it: a default measure still named
    as it was created in the reader's language, any other name as it is."""
    if _STORED_NAMES.get(code) == name and code in READER_NAMES:
        return str(READER_NAMES[code])
    return name


def default_fields() -> list[dict[str, Any]]:
    """The default measures as model field values."""
    return [
        {
            "code": code,
            "name": name,
            "table": table,
            "value": value,
            "where": where,
            "agg": agg,
            "person_field": person,
            "higher_is_better": higher,
            "money": False if agg != "sum" or value != "amount" else None,
        }
        for code, name, table, value, where, agg, person, higher in DEFAULTS
    ]


def default_specs() -> dict[str, dict[str, Any]]:
    """The default measures as a scenario's ``measures`` mapping."""
    from .models import Measure

    return {fields["code"]: Measure(**fields).as_scenario() for fields in default_fields()}
