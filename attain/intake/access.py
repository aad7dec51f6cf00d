"""Who may use imports and exports, one condition per line."""

from __future__ import annotations

from typing import Any

from attain.accounts.models import Role
from attain.org.selectors import role_of

from .importer import can_import
from .models import ImportBatch
from .tables import TABLES, TableSpec

IMPORT_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.MANAGER})
EXPORT_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})
ALL_BATCH_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})


def can_use_intake(user: Any) -> bool:
    return role_of(user) in IMPORT_ROLES | EXPORT_ROLES


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
    return batch.created_by_id is not None and batch.created_by_id == user.pk


def visible_batches(user: Any) -> Any:
    batches = ImportBatch.objects.select_related("created_by")
    if role_of(user) in ALL_BATCH_ROLES:
        return batches
    return batches.filter(created_by=user)
