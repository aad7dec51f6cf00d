"""A file names a default stage as its reader sees it: Qualification or 需求确认 (or its
code); a renamed stage by its stored name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attain.crm.models import Opportunity, Stage
from attain.intake.importer import import_file

from .conftest import write_csv


def test_a_default_stage_is_found_by_its_name_in_either_language(
    customers: Any, tmp_path: Path
) -> None:
    Stage.objects.filter(code="solution").update(name="方案设计")
    rows = [
        ["商机编号", "客户", "商机名称", "负责人", "预计金额", "阶段"],
        ["OP1", "C1", "新厂房", "r1", "500", "Qualification"],
        ["OP2", "C1", "旧厂房", "r1", "500", "需求确认"],
        ["OP3", "C1", "仓库", "r1", "500", "negotiation"],
        ["OP4", "C1", "车间", "r1", "500", "方案设计"],
    ]
    result = import_file(None, "opportunities", write_csv(tmp_path / "o.csv", rows))
    assert (result.imported, result.rejected) == (4, 0)
    stages = dict(Opportunity.objects.values_list("external_id", "stage__code"))
    assert stages == {"OP1": "qualify", "OP2": "qualify", "OP3": "negotiate", "OP4": "solution"}
