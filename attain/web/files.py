"""Files people upload: what a file really is (by its first bytes, never by its name),
which kinds an upload field accepts, and serving a stored file so that no browser ever
runs it.

Only a short allow-list of types is accepted, each recognised by its magic number:
images (JPEG, PNG, WebP, GIF, HEIC), PDF, plain text, Word/Excel/PowerPoint (OOXML) and
audio (MP3, M4A, WAV, Ogg, AMR). HTML, SVG and XML are never accepted: they can carry
script. Whatever is stored is served as an attachment with the type read from its
content (``application/octet-stream`` when it is not on the list), ``nosniff`` and a
sandboxing Content-Security-Policy, so even a file stored before these checks existed
cannot run in the application's origin.

Images are decoded with Pillow with a pixel limit (decompression bombs are refused) and
previews are re-encoded (no metadata, no original bytes reach the browser inline).
"""

from __future__ import annotations

import codecs
import io
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extension: str
    group: str  # "image", "document", "audio"
    decodable: bool = False  # an image Pillow can re-encode for previews


JPEG = FileType("jpeg", "image/jpeg", ".jpg", "image", decodable=True)
PNG = FileType("png", "image/png", ".png", "image", decodable=True)
GIF = FileType("gif", "image/gif", ".gif", "image", decodable=True)
WEBP = FileType("webp", "image/webp", ".webp", "image", decodable=True)
HEIC = FileType("heic", "image/heic", ".heic", "image")
PDF = FileType("pdf", "application/pdf", ".pdf", "document")
TEXT = FileType("text", "text/plain; charset=utf-8", ".txt", "document")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "document",
)
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "document"
)
PPTX = FileType(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "document",
)
MP3 = FileType("mp3", "audio/mpeg", ".mp3", "audio")
M4A = FileType("m4a", "audio/mp4", ".m4a", "audio")
WAV = FileType("wav", "audio/wav", ".wav", "audio")
OGG = FileType("ogg", "audio/ogg", ".ogg", "audio")
AMR = FileType("amr", "audio/amr", ".amr", "audio")
UNKNOWN = FileType("unknown", "application/octet-stream", ".bin", "")

# The groups each evidence kind accepts (the kind is also the upload field's name).
ACCEPTS: dict[str, frozenset[str]] = {
    "photo": frozenset({"image"}),
    "recording": frozenset({"audio"}),
    "file": frozenset({"image", "document", "audio"}),
}

_HEIC_BRANDS = {b"heic", b"heix", b"heif", b"mif1", b"msf1", b"hevc", b"avif"}
_AUDIO_MP4_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"isom", b"3gp4", b"3gp5", b"dash"}
_MARKUP = (b"<script", b"<html", b"<svg", b"<!doctype", b"<?xml", b"<iframe", b"<body")
_OOXML = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}


def _text(head: bytes) -> bool:
    """Plain text: decodes as UTF-8 or GB18030, has no NUL byte and is not markup."""
    if b"\0" in head:
        return False
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = sample[:HEAD_BYTES].lower()
    if sample.startswith(b"<") or any(marker in lowered for marker in _MARKUP):
        return False
    for codec in ("utf-8", "gb18030"):
        try:  # not final: the head may end inside a character
            codecs.getincrementaldecoder(codec)().decode(sample, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(head: bytes, handle: IO[bytes] | None = None) -> FileType:
    """The type of a file from its first bytes (``handle``, seekable, lets the OOXML
    check read the zip's directory). :data:`UNKNOWN` when not on the allow-list."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand in _AUDIO_MP4_BRANDS:
            return M4A
        return UNKNOWN
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"ID3") or head[:2] in {b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"}:
        return MP3
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(handle)
    if head and _text(head):
        return TEXT
    return UNKNOWN


def _ooxml(handle: IO[bytes] | None) -> FileType:
    if handle is None:
        return UNKNOWN
    try:
        handle.seek(0)
        names = set(zipfile.ZipFile(handle).namelist())  # the directory only, no data
    except (zipfile.BadZipFile, OSError, ValueError):
        return UNKNOWN
    finally:
        handle.seek(0)
    if "[Content_Types].xml" not in names:
        return UNKNOWN
    return next((kind for part, kind in _OOXML.items() if part in names), UNKNOWN)


def sniff_file(handle: IO[bytes]) -> FileType:
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    return sniff(head, handle)


# Uploads ----------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(settings.ATTAIN_LIMITS["EVIDENCE_MAX_BYTES"])


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.0f}"


def check_upload(field: str, upload: Any, accepts: Iterable[str]) -> FileType:
    """The type of an uploaded file, or ``ValidationError({field: ...})`` when it is too
    big, not on the allow-list or not accepted by ``field``; images must decode within
    the pixel limit."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                field: _("The file is larger than %(limit)s MB.") % {"limit": _megabytes(limit)},
            }
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    kind = sniff(head, upload)
    upload.seek(0)
    if kind is UNKNOWN or kind.group not in set(accepts):
        raise ValidationError({field: _allowed_message(accepts)})
    if kind.decodable:
        try:
            _open_image(upload).verify()
        except (OSError, ValueError, SyntaxError) as error:
            raise ValidationError(
                {field: _("The image cannot be read: %(error)s") % {"error": error}}
            ) from None
        finally:
            upload.seek(0)
    return kind


def _allowed_message(accepts: Iterable[str]) -> str:
    groups = set(accepts)
    names = []
    if "image" in groups:
        names.append(_("images (JPEG, PNG, WebP, GIF, HEIC)"))
    if "document" in groups:
        names.append(_("PDF, plain text and Word/Excel/PowerPoint documents"))
    if "audio" in groups:
        names.append(_("audio (MP3, M4A, WAV, Ogg, AMR)"))
    return _("This type of file is not accepted here; accepted: %(types)s.") % {
        "types": pgettext("list of kinds", "; ").join(names)
    }


def check_evidence(evidence: Iterable[tuple[str, Any]]) -> None:
    """Check every (kind, upload) pair of an activity's evidence; the kind names the
    upload field (``photo``, ``file``, ``recording``)."""
    for kind, upload in evidence:
        check_upload(kind, upload, ACCEPTS.get(kind, ACCEPTS["file"]))


# Images -----------------------------------------------------------------------------


def _open_image(handle: IO[bytes]) -> Any:
    """Open an image lazily (the header only) and refuse more pixels than the limit
    before anything is decoded."""
    from PIL import Image

    limit = int(settings.ATTAIN_LIMITS["IMAGE_MAX_PIXELS"])
    Image.MAX_IMAGE_PIXELS = limit  # Pillow's own bomb check, at twice this it raises
    try:
        image = Image.open(handle)
    except Image.DecompressionBombError:
        raise ValueError(_("more than %(limit)s pixels") % {"limit": limit}) from None
    width, height = image.size
    if width * height > limit:
        raise ValueError(
            _("%(width)s × %(height)s pixels, more than %(limit)s pixels")
            % {"width": width, "height": height, "limit": limit}
        )
    return image


def preview_image(handle: IO[bytes], size: int = 640) -> bytes | None:
    """A JPEG preview at most ``size`` pixels wide and high, re-encoded from the
    decoded pixels (no metadata, no original bytes); ``None`` when the file is not an
    image Pillow reads within the limits."""
    from PIL import Image, ImageOps

    if not sniff_file(handle).decodable:
        return None
    try:
        with _open_image(handle) as image:
            image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale
            picture = ImageOps.exif_transpose(image) or image
            picture.thumbnail((size, size))
            if picture.mode != "RGB":
                background = Image.new("RGB", picture.size, "white")
                rgba = picture.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                picture = background
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=85)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return out.getvalue()


# Serving ----------------------------------------------------------------------------

# Nothing in a served file may run or load anything, even if a browser renders it.
SANDBOX_POLICY = "default-src 'none'; sandbox"


def _harden(response: HttpResponse | FileResponse) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"


def attachment_response(handle: IO[bytes], name: str) -> FileResponse:
    """Serve a stored user file: always an attachment, its content type from the
    allow-list by content (else ``application/octet-stream``), and a file name whose
    extension matches that type."""
    kind = sniff_file(handle)
    base = os.path.basename(name) or "file"
    stem, extension = os.path.splitext(base)
    if extension.lower() not in {kind.extension, ".jpeg" if kind is JPEG else kind.extension}:
        base = f"{stem or 'file'}{kind.extension}"
    response = FileResponse(
        handle, as_attachment=True, filename=base, content_type=kind.content_type
    )
    _harden(response)
    return response


def preview_response(handle: IO[bytes]) -> HttpResponse | None:
    """An inline, re-encoded JPEG preview of an image, or ``None``."""
    data = preview_image(handle)
    handle.close()
    if data is None:
        return None
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    _harden(response)
    return response
