"""A 64-bit perceptual hash (the "difference hash") from grey pixel values.

The caller decodes the image (Pillow, in the app) into a 9 × 8 grid of grey values; the
hash sets one bit per pair of horizontal neighbours, so a resized, recompressed or
slightly retouched copy of a photo keeps a hash within a few bits of the original.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence


def perceptual_hash(grey: Sequence[Sequence[int]]) -> str:
    """16 hex digits from 8 rows of 9 grey values each."""
    if len(grey) != 8 or any(len(row) != 9 for row in grey):
        raise ValueError("a perceptual hash needs 8 rows of 9 grey values")
    bits = 0
    for row in grey:
        for left, right in itertools.pairwise(row):
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    """How many bits differ between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
