"""A calculation's load on PostgreSQL reads every table from one commit, as the SQLite
loader does (attain/calc/tests/test_loading.py): a worker loads units, people,
assignments and records one query after another while an import commits. Before, its
ADBC connection read each query at the isolation level READ COMMITTED, so orders could
come from after the import and their credits from before it."""

from __future__ import annotations

import pytest
from django.db import connection

from attain.calc import sources
from attain.org.models import Unit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_every_query_of_a_postgresql_load_reads_the_same_commit(company):
    with sources.open_source() as own:
        assert isinstance(own, sources.AdbcSource)
        count = "SELECT count(*) AS n FROM org_unit"
        before = own.query(count).column("n").to_pylist()
        Unit.objects.filter(code="west").update(name="华西!")  # committed meanwhile
        Unit.objects.create(code="north", name="华北", parent=company.hq)
        assert own.query(count).column("n").to_pylist() == before
        names = own.query("SELECT name FROM org_unit").column("name").to_pylist()
        assert "华西!" not in names
