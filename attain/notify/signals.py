"""``reminders``: sent once a day by ``attain notify remind``. Apps above notify whose
reminders need their own data (targets: acknowledgement due, behind pace) connect to it
and call :func:`attain.notify.services.announce`; notify never imports them.
Receivers get ``today`` (a date)."""

from __future__ import annotations

from django.dispatch import Signal

reminders = Signal()
