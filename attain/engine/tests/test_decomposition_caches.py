"""The Decomposer's kept caches (what a planner's previews share: member spans and
indexes, capacities, method and month weights) never change a result: a run over the
same organisation and records with another total, or with other settings, equals the
plain reference decomposer, warnings and errors included."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from attain.engine.decomposition import Caches, Decomposer
from attain.engine.tests.reference_decomposition import ReferenceDecomposer
from attain.engine.tests.test_decomposition_reference import documents, methods, outcome


def with_caches(caches: Caches, generate: bool = True) -> Any:
    def make(*args: Any) -> Decomposer:
        return Decomposer(*args, caches=caches, generate=generate)

    return make


RAMP = [Decimal("0.25"), Decimal("0.5"), Decimal("0.75")]


def uses(entry: dict[str, Any], method: str) -> bool:
    return entry.get("method") == method or method in entry.get("blend", {})


@given(
    document=documents(),
    total=st.integers(0, 10**7),
    team_methods=st.lists(methods(), min_size=3, max_size=3),
)
@settings(max_examples=100, deadline=None)
def test_runs_sharing_caches_equal_the_reference(
    document: dict[str, Any], total: int, team_methods: list[dict[str, Any]]
) -> None:
    caches: Caches = {}
    assert outcome(document, with_caches(caches)) == outcome(document, ReferenceDecomposer)
    # the next preview: another company total, the same organisation and records
    again = copy.deepcopy(document)
    again["decompositions"][0]["from"]["value"] = total
    assert outcome(again, with_caches(caches)) == outcome(again, ReferenceDecomposer)
    # the same plan with the ramp turned on or off: capacities under another ramp
    ramped = copy.deepcopy(document)
    for entry in ramped["decompositions"]:
        if uses(entry, "capacity") and entry.pop("ramp", None) is None:
            entry["ramp"] = RAMP  # had none: turned on (one it had is popped: off)
    assert outcome(ramped, with_caches(caches)) == outcome(ramped, ReferenceDecomposer)
    # and another plan over them: other methods, ramps and month splits for the teams
    other = copy.deepcopy(document)
    for entry, drawn in zip(other["decompositions"][3:6], team_methods, strict=True):
        for key in ("method", "blend", "history_period", "ramp", "months", "seasonal_years"):
            entry.pop(key, None)
        entry.update(drawn)
    assert outcome(other, with_caches(caches)) == outcome(other, ReferenceDecomposer)


@given(document=documents())
@settings(max_examples=100, deadline=None)
def test_a_preview_run_generates_only_the_targets_decomposed_again(
    document: dict[str, Any],
) -> None:
    """``generate=False``: the same allocations, warnings and errors; of the generated
    targets only those of units and people another decomposition splits."""
    errors, warnings, generated, allocations = outcome(document, ReferenceDecomposer)
    sources = {entry["from"]["who"] for entry in document["decompositions"]}
    preview = outcome(document, with_caches({}, generate=False))
    assert preview == (errors, warnings, [t for t in generated if t[1] in sources], allocations)


def _company(teams: int) -> dict[str, Any]:
    """hq split to ``teams`` teams of two reps, each team split to its people for the
    year and for a month."""
    units: list[dict[str, Any]] = [{"id": "hq", "name": "HQ"}]
    people: list[dict[str, Any]] = []
    decompositions: list[dict[str, Any]] = [
        {"id": "top", "from": {"who": "hq", "period": 2025, "value": 10**6}, "to": "units"}
    ]
    for t in range(teams):
        units.append({"id": f"t{t}", "name": f"T{t}", "parent": "hq"})
        people += [{"id": f"p{t}-{i}", "unit": f"t{t}", "role": "rep"} for i in range(2)]
        decompositions.append(
            {"id": f"t{t}", "from": {"who": f"t{t}", "period": 2025}, "to": "people"}
        )
        decompositions.append(  # the same people again, for a month
            {"id": f"t{t}-m", "from": {"who": f"t{t}", "period": "2025-03"}, "to": "people"}
        )
    for entry in decompositions:
        entry.update(method="equal", measure="revenue")
    return {
        "version": 1,
        "units": units,
        "people": people,
        "records": {"orders": []},
        "measures": {"revenue": {"from": "orders", "value": "amount"}},
        "decompositions": decompositions,
    }


def test_checking_for_clashes_grows_with_the_teams_not_their_square(monkeypatch: Any) -> None:
    """Each team's split is checked against the splits that made targets for the same
    people and units (the top one), not against every split made before it: a plan of
    hundreds of teams is checked in time proportional to them."""
    from attain.engine import decomposition

    calls = []
    made = decomposition._made

    def counted(*args: Any) -> Any:
        calls.append(1)
        return made(*args)

    monkeypatch.setattr(decomposition, "_made", counted)

    def reads(teams: int) -> int:
        calls.clear()
        document = _company(teams)
        assert outcome(document, Decomposer) == outcome(document, ReferenceDecomposer)
        return len(calls)

    assert reads(80) <= 2 * reads(40) + 2
