"""An uploaded photo's perceptual hash survives resizing and recompression."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from attain.crm.services.activities import photo_hash
from attain.engine.integrity import hamming


def _jpeg(size: tuple[int, int], quality: int) -> io.BytesIO:
    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 220, 260), fill="navy")
    draw.ellipse((240, 20, 380, 160), fill="orange")
    buffer = io.BytesIO()
    image.resize(size).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return buffer


def test_near_copies_hash_close_and_other_files_hash_empty():
    original = photo_hash(_jpeg((400, 300), 95))
    copy = photo_hash(_jpeg((200, 150), 40))
    assert len(original) == 16 and hamming(original, copy) <= 6
    assert photo_hash(io.BytesIO(b"not an image")) == ""
