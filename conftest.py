"""Fixtures for every test of the project (outside the ``attain`` package, so the
layers import-linter checks are not crossed by a fixture)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from hypothesis import settings

# no deadline per example: the machines that run the tests are shared and busy, and
# speed is checked by the benchmarks (`attain bench`), not by timed tests
settings.register_profile("attain", deadline=None)
settings.load_profile("attain")

DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True, scope="session")
def _own_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploads, statements and other files of the run in a folder of its own: never in
    the developer's ``var/``, and never shared by two test processes (``pytest -n``),
    whose databases give the same ids to different rows."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("var")
    with override_settings(VAR_DIR=root, MEDIA_ROOT=root / "media"):
        yield


@pytest.fixture(autouse=True)
def _fresh_calculation_cache(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test databases reuse ids after a rollback: never share a cached result."""
    from attain.calc import cache
    from attain.org import company

    cache.clear()
    company.forget()  # the first-run setup's cached answers: the test's database decides
    uses_database = request.node.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(request.fixturenames)
    )
    if not uses_database:
        # no database: the company settings are the deployment's (the settings fixture's)
        monkeypatch.setattr(company, "_stored", lambda: None)
    elif _transactional(request):
        request.getfixturevalue("transactional_db")
        restore_migration_data()


def _transactional(request: pytest.FixtureRequest) -> bool:
    """The test commits for real: a transactional test before it may have flushed the
    database (``django_db(transaction=True)``, the fixture, or a live server)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool(
        {"transactional_db", "django_db_reset_sequences", "live_server"} & set(request.fixturenames)
    )


# Rows the data migrations create, and how each is re-created.
MIGRATION_DATA = (
    ("attain.measures.migrations.0002_default_measures", "create", "measures", "Measure"),
    ("attain.crm.migrations.0002_default_funnel", "create_default_funnel", "crm", "Stage"),
)


def restore_migration_data() -> None:
    """Bring back what the data migrations made (the default measures and funnel): a
    transactional test before this one flushed every table, migrations' rows included."""
    from django.apps import apps

    for module, function, app_label, model in MIGRATION_DATA:
        if not apps.get_model(app_label, model).objects.exists():
            getattr(importlib.import_module(module), function)(apps, None)
