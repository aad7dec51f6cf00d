"""QA (scoreqa): the measures workspace in Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from attain.measures.models import Measure
from attain.measures.services import save_measure


def test_the_date_fields_offered_are_listed_with_the_chinese_separator(company):
    """A date field a table has not listed the table's date fields with an English
    comma inside the Chinese sentence (请使用 date, resolved_on 之一)."""
    measure = Measure(code="late", name="Late", table="tickets", date_field="closed", agg="count")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        save_measure(company.users["sales_ops"], measure)
    (message,) = error.value.message_dict["date_field"]
    assert "date、resolved_on" in message and ", " not in message
