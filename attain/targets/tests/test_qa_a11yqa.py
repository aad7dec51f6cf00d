"""Accessibility of the target grid (QA): an edited cell says so, not by colour alone."""

from __future__ import annotations

import re

from django.urls import reverse

from attain.conftest import Company
from attain.targets.models import TargetPlan

from .test_views import login


def test_an_edited_cell_is_described_as_edited(company: Company, plan: TargetPlan) -> None:
    """A cell typed over the engine's figure was marked only by its yellow colour: a
    screen reader read it like any other, and the page's note "edited cells are marked"
    pointed at nothing it could hear. The edited input is now described as edited."""
    client = login("sales_ops", "zh-hans")
    url = reverse("targets:cell", args=[plan.pk])
    data = {"measure": "revenue", "who": "r1", "period": "2026-02", "value": "12345"}
    page = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    edited = re.search(r'<input class="cell edited"[^>]*aria-label="r1 2026-02"[^>]*>', page)
    assert edited, page[:500]
    ref = re.search(r'aria-describedby="([^"]+)"', edited.group(0))
    assert ref, edited.group(0)
    note = re.search(rf'id="{ref.group(1)}"[^>]*>([^<]+)<', page)
    assert note and "手工" in note.group(1), note
    plain = re.search(r'<input class="cell"[^>]*aria-label="r1 2026-03"[^>]*>', page)
    assert plain and "aria-describedby" not in plain.group(0)
