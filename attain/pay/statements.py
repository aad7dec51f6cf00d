"""A statement as a PDF (docs/pay.md, "Statements"), drawn with ReportLab.

This module knows nothing of Django or of pay: it draws a :class:`StatementDocument`
whose every text is already in the reader's language (the service translates and
formats; :mod:`attain.pay.services_statements`). So worker processes can draw
statements without a database, and the drawing is tested on its own.

Fonts: Chinese needs a CJK font, embedded (as a subset: only the glyphs used). It comes
from the machine's packages, never from the network: ``ATTAIN_STATEMENT_FONT`` (a
TrueType ``.ttf``/``.ttc`` path) or the first of :data:`FONT_CANDIDATES` that exists
(Debian's fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming, fonts-droid-fallback).
Without one, :func:`font_path` raises :class:`FontMissing`, which the service words for
the reader. ReportLab embeds TrueType outlines only, so OpenType/CFF fonts such as Noto
Sans CJK are not candidates.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

FONT_NAME = "AttainCJK"
SIZE, LEADING, PAD = 9, 12, 2
MIN_NUMBER_SIZE = 5  # the smallest a number too wide for its column is set, to stay on a line
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


class FontMissing(RuntimeError):
    """No CJK TrueType font on this machine; ``searched`` lists the paths tried."""

    def __init__(self, searched: Sequence[str]) -> None:
        super().__init__("no CJK TrueType font found; tried " + ", ".join(searched))
        self.searched = list(searched)


@dataclass
class Section:
    """A heading, then a table (``header`` over ``rows``; the last column is a number,
    right-aligned) or, without rows, ``empty``; then ``notes`` as paragraphs."""

    heading: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty: str = ""
    notes: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # fractions of the text width
    total: list[str] = field(default_factory=list)  # a bold last row


@dataclass
class StatementDocument:
    language: str  # "zh-hans" or "en": line breaking follows it
    company: str
    title: str
    facts: list[tuple[str, str]]  # (label, value) under the title
    sections: list[Section]
    footer: str = ""
    subject: str = ""


def font_path() -> tuple[str, int]:
    """(path, index in a collection) of the CJK font to embed."""
    chosen = os.environ.get("ATTAIN_STATEMENT_FONT", "").strip()
    candidates = [(chosen, 0)] if chosen else list(FONT_CANDIDATES)
    for path, index in candidates:
        if os.path.isfile(path):
            return path, index
    raise FontMissing([path for path, _index in candidates])


_registered: str | None = None


def register_font() -> str:
    """Register the CJK font with ReportLab once per process (reading a 17 MB font
    collection takes a moment; every statement after that only subsets it)."""
    global _registered
    if _registered is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        path, index = font_path()
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        _registered = path
    return FONT_NAME


_TOKEN = re.compile(r"[\u0021-\u007e\u00a0-\u02ff\u2010-\u2027\u2030-\u22ff]+|\s+|.")
GREY, DARK, LIGHT = (0.33, 0.33, 0.33), (0.2, 0.2, 0.2), (0.47, 0.47, 0.47)


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` points: between words for Latin
    text, between any two characters for Chinese (a word longer than a line is broken
    between characters too). A newline always breaks."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(paragraph):
            advance = stringWidth(token, FONT_NAME, size)
            if used + advance > width and line.strip():  # the token starts a new line
                lines.append(line.rstrip())
                line, used = "", 0.0
                if token.isspace():
                    continue
            if advance > width and not token.isspace():  # too long for any line
                for char in token:
                    step = stringWidth(char, FONT_NAME, size)
                    if used + step > width and line.strip():
                        lines.append(line.rstrip())
                        line, used = "", 0.0
                    line, used = line + char, used + step
                continue
            line, used = line + token, used + advance
        lines.append(line.rstrip())
    return lines


class _Page:
    """A cursor over A4 pages of a canvas: text is set from the top down and a new page
    starts when the next block would not fit."""

    def __init__(self, canvas: Any) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm

        self.canvas = canvas
        self.left, self.right = 18 * mm, A4[0] - 18 * mm
        self.top, self.bottom = A4[1] - 16 * mm, 16 * mm
        self.width = self.right - self.left
        self.y = self.top
        self.repeat: Callable[[], None] | None = None  # a table's header on a new page

    def need(self, height: float) -> None:
        if self.y - height < self.bottom and self.y < self.top:
            self.canvas.showPage()
            self.y = self.top
            if self.repeat is not None:
                self.repeat()

    def text(
        self,
        text: str,
        *,
        size: float = SIZE,
        leading: float = LEADING,
        colour: tuple[float, float, float] = (0, 0, 0),
        before: float = 0,
        after: float = 0,
    ) -> None:
        lines = wrap(text, self.width, size)
        self.need(before + leading * len(lines) + after)
        self.y -= before
        self.canvas.setFont(FONT_NAME, size)
        self.canvas.setFillColorRGB(*colour)
        for line in lines:
            self.need(leading)
            self.y -= leading
            self.canvas.drawString(self.left, self.y + (leading - size) / 2 + 1, line)
        self.y -= after

    def row(
        self,
        cells: Sequence[str],
        widths: Sequence[float],
        *,
        colour: tuple[float, float, float] = (0, 0, 0),
        rule_above: float = 0,
        rule_below: float = 0,
        numbers: bool = True,
    ) -> None:
        """One table row; with ``numbers`` the last cell is right-aligned (a number), kept
        on one line: set smaller when it is wider than its column (a number broken after
        "…345.6" reads as another number)."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        wrapped = [wrap(c, w - 2 * PAD, SIZE) for c, w in zip(cells, widths, strict=True)]
        last = len(cells) - 1 if numbers else -1
        number_size = float(SIZE)
        if numbers and len(wrapped[last]) > 1 and "\n" not in cells[last]:
            room = widths[last] - 2 * PAD
            fits = SIZE * room / max(stringWidth(cells[last], FONT_NAME, SIZE), 1)
            if fits >= MIN_NUMBER_SIZE:
                number_size, wrapped[last] = fits, [cells[last]]
        height = max(len(lines) for lines in wrapped) * LEADING + 2 * PAD
        self.need(height)
        canvas = self.canvas
        if rule_above:
            canvas.setLineWidth(rule_above)
            canvas.line(self.left, self.y, self.right, self.y)
        canvas.setFont(FONT_NAME, SIZE)
        canvas.setFillColorRGB(*colour)
        x = self.left
        for n, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
            y = self.y - PAD
            for line in lines:
                y -= LEADING
                if n == last:
                    canvas.setFont(FONT_NAME, number_size)
                    canvas.drawRightString(x + w - PAD, y + 3, line)
                    canvas.setFont(FONT_NAME, SIZE)
                else:
                    canvas.drawString(x + PAD, y + 3, line)
            x += w
        self.y -= height
        if rule_below:
            canvas.setLineWidth(rule_below)
            canvas.setStrokeColorRGB(*LIGHT)
            canvas.line(self.left, self.y, self.right, self.y)
            canvas.setStrokeColorRGB(0, 0, 0)


def _table(page: _Page, section: Section) -> None:
    columns = len(section.header or section.rows[0])
    widths = [page.width * f for f in (section.widths or [1 / columns] * columns)]

    def header() -> None:
        if section.header:
            page.row(section.header, widths, colour=GREY, rule_below=0.6)

    header()
    page.repeat = header
    for cells in section.rows:
        page.row(cells, widths)
    if section.total:
        page.row(section.total, widths, rule_above=0.8)
    page.repeat = None


def render(document: StatementDocument) -> bytes:
    """The statement as PDF bytes (A4). The same document gives the same bytes."""
    from reportlab.pdfgen.canvas import Canvas

    register_font()
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1, pageCompression=1)
    canvas.setTitle(f"{document.title} · {document.subject}")
    canvas.setAuthor(document.company)
    canvas.setSubject(document.subject)
    canvas.setCreator("Attain")
    page = _Page(canvas)
    page.text(document.company, size=11, leading=15)
    page.text(document.title, size=17, leading=24, after=4)
    facts = [page.width * 0.28, page.width * 0.72]
    for label, value in document.facts:
        page.row([label, value], facts, colour=DARK, numbers=False)
    for section in document.sections:
        page.text(section.heading, size=11.5, leading=15, before=10, after=3)
        if section.rows:
            _table(page, section)
        elif section.empty:
            page.text(section.empty, colour=DARK)
        for note in section.notes:
            page.text(note, colour=DARK, before=2)
    if document.footer:
        page.text(document.footer, size=7.5, leading=10, colour=LIGHT, before=12)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def trivial_pdf() -> bytes:
    """A one-page PDF with one line of Latin text in a built-in font: the least a PDF
    costs with this library (the benchmark's baseline)."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.setFont("Helvetica", 12)
    page.drawString(72, 720, "Statement")
    page.showPage()
    page.save()
    return out.getvalue()


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so a
    file at ``path`` is always whole."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    temporary = f"{path}.{os.getpid()}.part"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def render_to_files(jobs: Sequence[tuple[str, StatementDocument]]) -> list[tuple[str, int]]:
    """Draw each (path, document) and write it; returns (path, size) per job. Runs in a
    worker process as well as in the caller's."""
    written = []
    for path, document in jobs:
        data = render(document)
        write_atomically(path, data)
        written.append((path, len(data)))
    return written
