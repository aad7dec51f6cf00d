from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.measures.models import Measure
from attain.measures.services import save_measure, scenario_measures


def test_default_measures_are_valid_scenario_measures(db):
    measures = scenario_measures()
    assert measures["revenue"] == {
        "from": "orders",
        "value": "amount",
        "where": "status == 'confirmed'",
    }
    assert measures["collected"]["person"] == "collector"
    assert measures["satisfaction"] == {
        "from": "surveys",
        "value": "score",
        "agg": "avg",
        "money": False,
    }


def test_the_engine_validates_a_measure_and_names_the_field(company):
    measure = Measure(
        code="bad", name="Bad", table="orders", value="amount +", where="__import__('os')"
    )
    with pytest.raises(ValidationError) as error:
        save_measure(company.users["sales_ops"], measure)
    assert set(error.value.message_dict) == {"value", "where"}
    assert not Measure.objects.filter(code="bad").exists()


def test_unknown_table_and_duplicate_code(company):
    with pytest.raises(ValidationError) as error:
        save_measure(None, Measure(code="revenue", name="x", table="invoices"))
    assert set(error.value.message_dict) == {"table", "code"}


def test_only_editors_define_measures(company):
    with pytest.raises(PermissionDenied):
        save_measure(company.users["manager"], Measure(code="m", name="m", table="orders"))
    save_measure(
        company.users["sales_ops"],
        Measure(
            code="big_deals", name="大单", table="orders", where="amount >= 100000", agg="count"
        ),
    )
    assert scenario_measures(["big_deals"]) == {
        "big_deals": {"from": "orders", "where": "amount >= 100000", "agg": "count"}
    }


def test_a_measure_keeps_its_code(company, client):
    """Renaming ``collected`` on the measures page left the plans and targets naming it
    pointing at nothing, and every calculation of their years failed."""
    measure = Measure.objects.get(code="collected")
    measure.code = "collected2"
    with pytest.raises(ValidationError) as error:
        save_measure(company.users["sales_ops"], measure)
    assert set(error.value.message_dict) == {"code"}
    client.force_login(company.users["sales_ops"])
    response = client.post(
        "/performance/measures/collected/",
        {
            "code": "renamed",
            "name": "回款额",
            "table": "payments",
            "value": "amount",
            "agg": "sum",
            "person_field": "collector",
            "date_field": "date",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).code == "collected"
    assert Measure.objects.get(pk=measure.pk).name == "回款额"


def test_a_formula_that_does_not_parse_is_explained_in_chinese(company):
    """Python's own parser message ("invalid syntax") reached the Chinese measure form."""
    from django.utils import translation

    measure = Measure(code="bad", name="Bad", table="orders", value="amount +* 2", where="x y")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        save_measure(company.users["sales_ops"], measure)
    assert error.value.message_dict == {
        "value": ["表达式 'amount +* 2' 无效：第 9 个字符处有语法错误"],
        "where": ["表达式 'x y' 无效：第 3 个字符处有语法错误"],
    }


@pytest.mark.parametrize(
    ("fields", "at"),
    [
        ({"value": "amout"}, "value"),
        ({"where": "stauts == 'confirmed'"}, "where"),
        ({"date_field": "shipped_on"}, "date_field"),
        ({"person_field": "seller"}, "person_field"),
    ],
)
def test_a_measure_naming_a_field_its_table_has_not_is_refused(company, fields, at):
    """A typo in a field (value: amout) was saved: the engine checked the measure on empty
    tables, which have no fields to miss, and every calculation of the company then
    failed ("measures.m.value: invalid expression 'amout': unknown field 'amout'")."""
    measure = Measure(code="typo", name="Typo", table="orders", **{"value": "amount", **fields})
    with pytest.raises(ValidationError) as error:
        save_measure(company.users["sales_ops"], measure)
    assert set(error.value.message_dict) == {at}
    assert not Measure.objects.filter(code="typo").exists()
    good = Measure(
        code="fine", name="Fine", table="payments", value="amount", person_field="collector"
    )
    save_measure(company.users["sales_ops"], good)
    save_measure(
        company.users["sales_ops"],
        Measure(
            code="closed", name="Closed", table="tickets", date_field="resolved_on", agg="count"
        ),
    )
