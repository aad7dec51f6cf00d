"""Who may import, export and see import batches: every role × every action
(attain.intake.access)."""

from __future__ import annotations

import pytest

from attain.conftest import role_cases, user_of
from attain.intake import access
from attain.intake.models import ImportBatch
from attain.intake.tables import TABLES

ALLOWED = """
    action                 admin sales_ops finance executive manager rep anonymous
    use_intake             Y     Y         Y       Y         Y       -   -
    import_orders          Y     Y         Y       -         Y       -   -
    import_product_lines   Y     Y         Y       -         -       -   -
    import_for_anyone      Y     Y         Y       -         -       -   -
    export                 Y     Y         Y       Y         -       -   -
    see_batch_of_ops       Y     Y         Y       -         -       -   -
    see_batch_of_manager   Y     Y         Y       -         Y       -   -
"""


def check(action, user, company):
    if action == "use_intake":
        return access.can_use_intake(user)
    if action == "import_orders":
        return access.can_import(user, TABLES["orders"])
    if action == "import_product_lines":
        return access.can_import(user, TABLES["product_lines"])
    if action == "import_for_anyone":
        return access.imports_for_anyone(user)
    if action == "export":
        return access.can_export(user)
    uploader = company.users["sales_ops" if action == "see_batch_of_ops" else "manager"]
    batch = ImportBatch.objects.create(table="orders", file_name="x.csv", created_by=uploader)
    seen = access.can_see_batch(user, batch)
    assert (batch in access.visible_batches(user)) is seen
    return seen


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert check(action, user_of(company, role), company) is allowed


def test_importable_tables_are_those_the_role_may_import(company):
    manager = company.users["manager"]
    assert {s.name for s in access.importable_tables(manager)} == {
        s.name for s in TABLES.values() if s.manager_may_import
    }
    assert access.importable_tables(company.users["executive"]) == []
    assert access.can_import(None, TABLES["product_lines"])
