"""The only writers of CRM records, one module per sub-domain. Each service checks
permission (:mod:`attain.crm.access`), validates, writes in one transaction and appends
to the audit trail; bad input raises ``ValidationError`` keyed by field.

Who may write: the system (``actor=None``, imports and the demo), administrators,
sales operations and finance for anyone; managers and reps for the people they may
see (themselves, their reporting line); executives for no one.

Callers outside the CRM import from here; inside the CRM, from the sub-module.
"""

from __future__ import annotations

from .activities import log_activity
from .contacts import create_contact
from .customers import create_customer, find_duplicates, merge_customers
from .opportunities import create_opportunity, move_opportunity
from .orders import change_order_status, record_order, validate_shares
from .payments import record_payment
from .products import create_product, create_product_line, update_product, update_product_line
from .ratings import record_peer_rating, record_survey, record_training_score
from .reminders import check_follow_ups, check_follow_ups_once_a_day, complete_reminder
from .tickets import open_ticket, update_ticket
from .verification import set_record_policy, verify_records

__all__ = [
    "change_order_status",
    "check_follow_ups",
    "check_follow_ups_once_a_day",
    "complete_reminder",
    "create_contact",
    "create_customer",
    "create_opportunity",
    "create_product",
    "create_product_line",
    "find_duplicates",
    "log_activity",
    "merge_customers",
    "move_opportunity",
    "open_ticket",
    "record_order",
    "record_payment",
    "record_peer_rating",
    "record_survey",
    "record_training_score",
    "set_record_policy",
    "update_product",
    "update_product_line",
    "update_ticket",
    "validate_shares",
    "verify_records",
]
