"""Who may do what with notifications, one condition per line.

- everyone signed in reads and marks read their own notifications and sets their own
  preferences; nobody reads another's (the one rule: a notification is its recipient's);
- administrators and sales operations see the deliveries (sent, retrying, failed);
- administrators set up the group webhooks (Django admin) and send a test message.
"""

from __future__ import annotations

from typing import Any

from attain.accounts.models import Role
from attain.org.selectors import role_of

DELIVERY_READER_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})


def can_read_deliveries(user: Any) -> bool:
    return role_of(user) in DELIVERY_READER_ROLES


def can_manage_webhooks(user: Any) -> bool:
    return role_of(user) == Role.ADMIN
