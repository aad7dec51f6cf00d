"""The record tables: the CRM data that measures read (orders, payments, activities, …).

One list, used by the calculation adapter (:mod:`attain.calc.tables` reads each of them),
by measures (a measure reads one of them) and by the ``records_changed`` event (which
person fields and date of each model place a change). Adding a record table: its model
here, its SQL in :mod:`attain.calc.tables`, its import spec in :mod:`attain.intake.tables`
(see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

# The engine's record tables, in the order they are documented (docs/engine-data.md).
RECORD_TABLES = (
    "orders",
    "order_lines",
    "payments",
    "activities",
    "customers",
    "opportunities",
    "tickets",
    "surveys",
    "training",
    "peer_ratings",
)


@dataclass(frozen=True)
class Placement:
    """Where a change of one row of a model lands: its table, the people it is credited
    to (foreign key attnames) and its date (a date or datetime field)."""

    table: str
    people: tuple[str, ...]
    date: str


# The models whose rows a measure reads, by model name.
PLACEMENTS = {
    "Order": Placement("orders", ("owner_id",), "date"),
    "Payment": Placement("payments", ("collector_id",), "date"),
    "Activity": Placement("activities", ("owner_id",), "occurred_at"),
    "Customer": Placement("customers", ("owner_id",), "created_on"),
    "ServiceTicket": Placement("tickets", ("owner_id",), "opened_on"),
    "Survey": Placement("surveys", ("person_id",), "date"),
    "TrainingScore": Placement("training", ("person_id",), "date"),
    "PeerRating": Placement("peer_ratings", ("person_id",), "date"),
}
