"""Who may do what in pay governance (docs/pay.md), one condition per line. The
record rules themselves live with the records (:mod:`attain.crm.access`): verifying
records is finance's and sales operations' work, setting the record tables' policies
sales operations'. Tested as a role × action table (tests/test_access.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from attain.crm.access import can_edit_record_policy, can_verify_records


def can_review_records(user: Any) -> bool:
    """The review queue: finance, sales operations, administrators."""
    return can_verify_records(user)


def can_set_record_policy(user: Any) -> bool:
    return can_edit_record_policy(user)


def check_review_records(user: Any) -> None:
    if not can_review_records(user):
        raise PermissionDenied(_("Only finance or sales operations verify records."))


def check_set_record_policy(user: Any) -> None:
    if not can_set_record_policy(user):
        raise PermissionDenied(_("Only sales operations set record policies."))
