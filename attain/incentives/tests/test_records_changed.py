"""Stored results follow the records: a single save and a bulk import both reach
incentives through the crm app's ``records_changed`` event."""

from __future__ import annotations

from pathlib import Path

import pytest

from attain.crm.events import records_changed
from attain.crm.models import Customer
from attain.incentives.models import PeriodResult
from attain.intake.importer import import_file
from attain.intake.reading import FileProblem

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _revenue(code: str, period: str) -> str:
    return PeriodResult.objects.get(person__code=code, period=period).measures["revenue"]


def test_an_imported_file_changes_the_affected_results(
    calculated, tmp_path: Path, django_capture_on_commit_callbacks
):
    customer = Customer.objects.first()
    customer.external_id = customer.external_id or "C-IMPORT"
    customer.save()
    before = _revenue("r3", f"{YEAR}-Q1")
    untouched = _revenue("r1", f"{YEAR}-Q1")
    path = tmp_path / "orders.csv"
    path.write_text(
        "external_id,customer,owner,date,amount\n"
        f"o-imp-1,{customer.external_id},r3,{YEAR}-02-10,1500\n"
        f"o-imp-2,{customer.external_id},r3,{YEAR}-03-01,500\n",
        encoding="utf-8",
    )
    seen: list[frozenset[str]] = []

    def listen(sender, tables, **kwargs):
        seen.append(tables)

    records_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = import_file(None, "orders", path)
    finally:
        records_changed.disconnect(listen)
    assert result.imported == 2 and result.rejected == 0
    assert len(seen) == 1 and "orders" in seen[0]  # one event for the whole file
    assert int(_revenue("r3", f"{YEAR}-Q1")) == int(before) + 2000
    assert _revenue("r1", f"{YEAR}-Q1") == untouched


def _import_order(path: Path, customer: Customer, owner: str) -> None:
    """Import one order of 700 on 10 February from a CSV file."""
    path.write_text(
        "external_id,customer,owner,date,amount\n"
        f"o-move,{customer.external_id},{owner},{YEAR}-02-10,700\n",
        encoding="utf-8",
    )
    import_file(None, "orders", path)


def test_a_reimport_that_moves_an_order_corrects_the_old_owner_too(
    calculated, tmp_path: Path, django_capture_on_commit_callbacks
):
    customer = Customer.objects.first()
    customer.external_id = customer.external_id or "C-IMPORT"
    customer.save()
    path = tmp_path / "orders.csv"
    with django_capture_on_commit_callbacks(execute=True):
        _import_order(path, customer, "r3")
    r3 = int(_revenue("r3", f"{YEAR}-Q1"))
    r2 = int(_revenue("r2", f"{YEAR}-Q1"))
    with django_capture_on_commit_callbacks(execute=True):
        _import_order(path, customer, "r2")
    assert int(_revenue("r3", f"{YEAR}-Q1")) == r3 - 700
    assert int(_revenue("r2", f"{YEAR}-Q1")) == r2 + 700


def test_nothing_is_announced_when_the_import_fails(
    calculated, tmp_path: Path, django_capture_on_commit_callbacks
):
    seen: list[object] = []
    records_changed.connect(lambda sender, **kw: seen.append(kw), weak=False, dispatch_uid="t")
    try:
        path = tmp_path / "orders.csv"
        path.write_text("external_id,owner\nx,r1\n", encoding="utf-8")  # no date, amount …
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(FileProblem):
            import_file(None, "orders", path)
    finally:
        records_changed.disconnect(dispatch_uid="t")
    assert seen == []
