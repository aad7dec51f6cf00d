"""Who may use imports and exports, one condition per line. This is the only place
intake decides permissions: the pages, the API, the services and the importer ask it.

- administrators, sales operations and finance import every table, for anyone;
- a manager imports the tables whose rows belong to a person (orders, payments,
  activities, opportunities), and only rows of the people they may see;
- an export holds every record, so only the roles that see everyone export;
- units and people (the organisation) are imported by administrators and sales
  operations only, who change the organisation (attain.org.access);
- an import batch is seen by the roles that import for anyone, and by its uploader.

``user`` None is the system itself (the CLI): it imports everything.
"""

from __future__ import annotations

from typing import Any

from attain.accounts.models import Role
from attain.org.access import can_edit_organisation
from attain.org.selectors import role_of

from .models import ImportBatch
from .tables import TABLES, TableSpec

IMPORT_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.MANAGER})
EXPORT_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})
# The roles that import every table for anyone, and see every batch.
ALL_BATCH_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
WIDE_ROLES = ALL_BATCH_ROLES


def can_use_intake(user: Any) -> bool:
    return role_of(user) in IMPORT_ROLES | EXPORT_ROLES


def can_import(user: Any, spec: TableSpec) -> bool:
    if user is None:
        return True
    if spec.org:  # units and people: the roles that change the organisation
        return can_edit_organisation(user)
    role = role_of(user)
    if role in WIDE_ROLES:
        return True
    if role != Role.MANAGER:
        return False
    return spec.manager_may_import


def imports_for_anyone(user: Any) -> bool:
    """Whether ``user``'s imported rows may belong to anyone (otherwise only to the people
    they may see)."""
    if user is None:
        return True
    return role_of(user) in WIDE_ROLES


def importable_tables(user: Any) -> list[TableSpec]:
    if role_of(user) not in IMPORT_ROLES:
        return []
    return [spec for spec in TABLES.values() if can_import(user, spec)]


def can_export(user: Any) -> bool:
    """An export holds every record, so only the roles that see everyone export."""
    return role_of(user) in EXPORT_ROLES


def can_see_batch(user: Any, batch: ImportBatch) -> bool:
    if role_of(user) in ALL_BATCH_ROLES:
        return True
    if batch.created_by_id is None:
        return False
    return bool(batch.created_by_id == user.pk)


def visible_batches(user: Any) -> Any:
    batches = ImportBatch.objects.select_related("created_by")
    if role_of(user) in ALL_BATCH_ROLES:
        return batches
    if not getattr(user, "is_authenticated", False):
        return batches.none()
    return batches.filter(created_by=user)
