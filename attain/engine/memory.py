"""Pausing Python's cyclic garbage collector while a bulk phase builds many objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk phase of the engine.

    A run creates millions of small, acyclic objects (per person and period results);
    the collector would re-scan all of them again and again while they are built.
    Reference counting still frees everything; the collector resumes afterwards (only
    if it was running before, so phases nest).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
