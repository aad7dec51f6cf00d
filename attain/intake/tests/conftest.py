from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from attain.crm import services as crm
from attain.crm.models import Customer, ProductLine


@pytest.fixture
def customers(company: Any) -> dict[str, Customer]:
    ProductLine.objects.create(code="pumps", name="水泵")
    return {
        "C1": crm.create_customer(None, name="上海华信有限公司", external_id="C1"),
        "C2": crm.create_customer(None, name="北京远景科技", external_id="C2"),
    }


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def import_rows(tmp_path: Path, table: str, name: str, rows: list[list[Any]]) -> Any:
    """``rows`` written to the CSV file ``name`` in ``tmp_path`` and imported into
    ``table`` by the system; the rows refused go to ``tmp_path / "r.csv"``."""
    from attain.intake.importer import import_file

    return import_file(
        None, table, write_csv(tmp_path / name, rows), rejects_path=tmp_path / "r.csv"
    )


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))
