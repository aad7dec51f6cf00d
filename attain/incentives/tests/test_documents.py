"""Designer fields ↔ plan documents ↔ YAML, without the database."""

from __future__ import annotations

from decimal import Decimal

from attain.incentives.documents import (
    apply_action,
    document_from_form,
    dump_yaml,
    form_from_document,
    parse_yaml,
    problem_key,
)

from .conftest import REP_PLAN


def _fields(form: dict) -> dict[str, str]:
    """What the designer template posts for a form model."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    for i, c in enumerate(form["components"]):
        for key, value in c.items():
            if isinstance(value, str):
                fields[f"c{i}-{key}"] = value
        for letter, rows in (("t", c["tiers"]), ("l", c["levels"]), ("m", c["metrics"])):
            for j, row in enumerate(rows):
                for key, value in row.items():
                    fields[f"c{i}-{letter}{j}-{key}"] = value
    for more in form.get("applies_more", []):
        fields[f"applies_kind_{more['n']}"] = more["kind"]
        fields[f"applies_value_{more['n']}"] = more["value"]
    return fields


def test_form_round_trip_gives_back_the_document():
    form = form_from_document(REP_PLAN)
    assert document_from_form(_fields(form)) == REP_PLAN


def test_a_plan_for_reps_of_one_unit_keeps_both_conditions():
    """``applies_to: {role: rep, units: [east]}`` (reps in the east) came back from the
    designer as ``{units: [east]}``: saving it unchanged paid everyone in the east."""
    for applies in (
        {"role": "rep", "units": ["east", "west"]},
        {"roles": ["rep", "kam"], "people": ["a"], "units": ["u"], "manager": ["m"]},
    ):
        plan = REP_PLAN | {"applies_to": applies}
        form = form_from_document(plan)
        assert document_from_form(_fields(form)) == plan
    form = form_from_document(REP_PLAN)
    added = _fields(form) | {"applies_kind_1": "units", "applies_value_1": "east, 华东"}
    assert document_from_form(added)["applies_to"] == {"role": "rep", "units": ["east", "华东"]}


def test_a_component_keeps_its_name_and_a_bonus_its_scope():
    """A component's name (its label, 基本提成) was dropped by the designer, and so was a
    bonus's ``scope: team``: saving unchanged turned a team bonus into one on the
    person's own attainment."""
    plan = REP_PLAN | {
        "components": [
            {"id": "c1", "name": "基本提成", "kind": "commission", "measure": "revenue",
             "rate": Decimal("0.01")},
            {"id": "b1", "name": "团队奖金", "kind": "bonus", "measure": "revenue",
             "scope": "team", "levels": [{"min_attainment": 1, "amount": 100}]},
        ]
    }  # fmt: skip
    assert document_from_form(_fields(form_from_document(plan))) == plan


def test_yaml_round_trip_is_exact():
    text = dump_yaml(REP_PLAN)
    data, problems = parse_yaml(text)
    assert problems == []
    assert data == REP_PLAN
    assert dump_yaml(data) == text
    assert "rate: 0.05" in text and "label: 卓越" in text


def test_numbers_and_expressions():
    fields = {
        "id": "p",
        "name": "P",
        "applies_kind": "role",
        "applies_value": "rep",
        "period": "month",
        "c0-kind": "commission",
        "c0-id": "c",
        "c0-measure": "revenue",
        "c0-rate": "IF(attainment < 1, 0.03, 0.05)",
        "c0-cap": "5000",
        "c0-gate": "0.5",
    }
    document = document_from_form(fields)
    component = document["components"][0]
    assert component["rate"] == "IF(attainment < 1, 0.03, 0.05)"
    assert component["cap"] == 5000
    assert component["gate"] == {"min_attainment": Decimal("0.5")}


def test_actions_add_and_remove_components_and_rows():
    document = {"id": "p", "components": []}
    apply_action(document, "add:scorecard")
    apply_action(document, "add:commission")
    apply_action(document, "add-row:0:m")
    assert len(document["components"][0]["metrics"]) == 2
    apply_action(document, "remove-row:0:m:0")
    assert len(document["components"][0]["metrics"]) == 1
    apply_action(document, "add-row:1:t")
    assert document["components"][1]["tiers"]["table"] == [{"from": "", "rate": ""}]
    apply_action(document, "remove:0")
    assert [c["kind"] for c in document["components"]] == ["commission"]
    apply_action(document, "remove:9")  # out of range: ignored


def test_problem_paths_map_to_fields():
    assert problem_key("plans[0].components[2].tiers.table[1].rate") == (2, "tiers")
    assert problem_key("plans[0].effective.from") == (None, "effective")
    assert problem_key("plans[0]") == (None, "general")


def test_a_row_left_empty_is_no_row_when_the_plan_is_saved():
    """A tier, level or metric row added with its button and left empty was saved as a
    row: the plan was refused ("table[2].rate: required", a level's blank amount "must
    be an expression (text) or a number"), as a condition left empty is not. A row is
    dropped when saving (kept while the form is being edited, where it was just added);
    a later tier's empty `from` is missing, not 0 (it read "from values must strictly
    increase (1 then 0)")."""
    fields = {
        "id": "p",
        "name": "P",
        "applies_kind": "role",
        "applies_value": "rep",
        "period": "quarter",
        "c0-id": "c",
        "c0-kind": "commission",
        "c0-measure": "revenue",
        "c0-pay": "tiers",
        "c0-t0-from": "",
        "c0-t0-rate": "0.02",
        "c0-t1-from": "1",
        "c0-t1-rate": "0.05",
        "c0-t2-from": " ",
        "c0-t2-rate": "",
        "c1-id": "b",
        "c1-kind": "bonus",
        "c1-measure": "revenue",
        "c1-bonus": "levels",
        "c1-l0-min": "0.8",
        "c1-l0-amount": "100",
        "c1-l0-label": "基础",
        "c1-l1-min": "",
        "c1-l1-amount": "",
        "c1-l1-label": "优秀",
        "c2-id": "k",
        "c2-kind": "scorecard",
        "c2-m0-measure": "revenue",
        "c2-m0-weight": "1",
        "c2-m1-measure": "",
        "c2-m1-weight": "",
        "c2-m1-direction": "higher",
    }
    saved = document_from_form(fields, drop_empty_rows=True)
    assert saved["components"][0]["tiers"]["table"] == [
        {"from": 0, "rate": Decimal("0.02")},
        {"from": 1, "rate": Decimal("0.05")},
    ]
    assert [level["label"] for level in saved["components"][1]["levels"]] == ["基础"]
    assert len(saved["components"][2]["metrics"]) == 1
    edited = document_from_form(fields)
    assert len(edited["components"][0]["tiers"]["table"]) == 3
    later = document_from_form({**fields, "c0-t2-rate": "0.08"}, drop_empty_rows=True)
    assert later["components"][0]["tiers"]["table"][2] == {"from": None, "rate": Decimal("0.08")}
