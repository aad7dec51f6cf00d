from __future__ import annotations

from collections.abc import Iterator

import pytest

from attain.conftest import Company, company  # noqa: F401  (the fixture)
from attain.notify.receiver import Receiver


@pytest.fixture(autouse=True)
def _hooks_to_this_machine(settings) -> None:
    """The tests' receivers listen on 127.0.0.1 (what personal webhooks are refused)."""
    settings.ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def fast_retries(settings) -> None:
    settings.ATTAIN_NOTIFY_TIMEOUT_SECONDS = 0.3
    settings.ATTAIN_NOTIFY_RETRY_SECONDS = 30
    settings.ATTAIN_NOTIFY_ATTEMPTS = 3
