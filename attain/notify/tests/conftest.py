from __future__ import annotations

from collections.abc import Iterator

import pytest

from attain.conftest import Company, company  # noqa: F401  (the fixture)
from attain.notify.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def fast_retries(settings) -> None:
    settings.ATTAIN_NOTIFY_TIMEOUT_SECONDS = 0.3
    settings.ATTAIN_NOTIFY_RETRY_SECONDS = 30
    settings.ATTAIN_NOTIFY_ATTEMPTS = 3
