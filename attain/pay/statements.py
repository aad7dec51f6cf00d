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

A character the CJK font lacks (a rare name such as 𠮷 in CJK Extension B, an emoji)
is set in the first fallback font that has it: ``ATTAIN_STATEMENT_FALLBACK_FONTS``
(paths separated by ``:``), else those of :data:`FALLBACK_CANDIDATES` that exist
(Debian's fonts-hanazono, fonts-symbola, fonts-dejavu-core). One no font has is printed
as □ and logged, never left blank: a blank in a name on a pay statement reads as another
name.
"""

from __future__ import annotations

import io
import logging
import os
import re
import unicodedata
import zlib
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

FALLBACK_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",  # CJK Extension A
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",  # CJK Extensions B to F (𠮷)
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",  # emoji, symbols
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # other scripts and symbols
)
MISSING = "\u25a1"  # □: a character no font here has

logger = logging.getLogger(__name__)


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


def fallback_paths() -> list[str]:
    """The fallback fonts that exist, in the order they are tried."""
    chosen = os.environ.get("ATTAIN_STATEMENT_FALLBACK_FONTS")
    candidates = chosen.split(os.pathsep) if chosen is not None else FALLBACK_CANDIDATES
    return [path for path in (c.strip() for c in candidates) if path and os.path.isfile(path)]


_ASTRAL = re.compile(r"> <([0-9A-F]{5,6})>$", re.MULTILINE)


def _text_layer_beyond_the_bmp() -> None:
    """ReportLab writes a character beyond U+FFFF into a font's ToUnicode map as five or
    six hex digits (``<20BB7>``), which is not UTF-16: the glyph prints, but copying,
    searching or a screen reader gets garbage for 𠮷 or 😀. The map is written here as
    the PDF reference says, the character as a surrogate pair (``<D842DFB7>``)."""
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "utf16", False):
        return

    def make(fontname: str, subset: Sequence[int]) -> str:
        return _ASTRAL.sub(
            lambda m: "> <" + chr(int(m.group(1), 16)).encode("utf-16-be").hex().upper() + ">",
            original(fontname, subset),
        )

    make.utf16 = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make


class Fonts:
    """The CJK font and its fallbacks, registered with ReportLab: which of them sets each
    character, and the width of a text set that way."""

    def __init__(self, primary: tuple[str, int], fallbacks: Sequence[str]) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        self._string_width = pdfmetrics.stringWidth
        _text_layer_beyond_the_bmp()
        path, index = primary
        fonts = [TTFont(FONT_NAME, path, subfontIndex=index)]
        for fallback in fallbacks:
            # named by its file: ReportLab keeps what it knows of a font by its name
            stem = re.sub(r"\W", "", os.path.splitext(os.path.basename(fallback))[0])
            name = f"{FONT_NAME}-{stem}-{zlib.crc32(fallback.encode()):08x}"
            try:
                fonts.append(TTFont(name, fallback))
            except Exception as error:  # ReportLab raises TTFError, struct errors, ...
                logger.warning("statement fallback font %s not usable: %s", fallback, error)
        for font in fonts:
            pdfmetrics.registerFont(font)
        self.names = [font.fontName for font in fonts]
        self._maps = [font.face.charToGlyph for font in fonts]
        self._font_of: dict[str, str | None] = {}
        self.missing = MISSING if ord(MISSING) in self._maps[0] else "?"
        self.lost: dict[str, None] = {}  # the characters printed as □ (in order)
        self._runs: dict[str, tuple[list[tuple[str, str]], str]] = {}

    def font_of(self, char: str) -> str | None:
        """The font that sets ``char``: None when none has it."""
        if char not in self._font_of:
            code = ord(char)
            found = zip(self.names, self._maps, strict=True)
            self._font_of[char] = next((name for name, glyphs in found if code in glyphs), None)
        return self._font_of[char]

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` as (font, text) runs. A character no font has is □ (a joiner or a
        variation selector, which has no glyph of its own, is left out; see ``lost``)."""
        found = self._runs.get(text)
        if found is None:
            found = self._runs_of(text)
            if len(self._runs) < 50_000:  # labels and amounts recur from statement to statement
                self._runs[text] = found
        runs, lost = found
        for char in lost:
            self.lost[char] = None
        return runs

    def _runs_of(self, text: str) -> tuple[list[tuple[str, str]], str]:
        runs: list[tuple[str, str]] = []
        lost = ""
        for char in text:
            font = self.font_of(char)
            if font is None:
                if unicodedata.category(char) in ("Mn", "Cf"):
                    continue  # U+FE0F after an emoji, U+200D between emoji: no glyph
                lost += char
                font, char = self.names[0], self.missing
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + char)
            else:
                runs.append((font, char))
        return runs, lost

    def width(self, text: str, size: float) -> float:
        runs = self.runs(text)
        if len(runs) == 1:  # nearly every text: one font
            return float(self._string_width(runs[0][1], runs[0][0], size))
        return float(sum(self._string_width(part, font, size) for font, part in runs))

    def draw(self, canvas: Any, x: float, y: float, text: str, size: float) -> None:
        """``text`` from ``x`` on, each run in its font (the canvas left at the CJK font)."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        runs = self.runs(text)
        for font, part in runs:
            if (canvas._fontname, canvas._fontsize) != (font, size):  # one operator less a line
                canvas.setFont(font, size)
            canvas.drawString(x, y, part)
            if len(runs) > 1:
                x += stringWidth(part, font, size)
        if canvas._fontname != FONT_NAME:
            canvas.setFont(FONT_NAME, size)

    def draw_right(self, canvas: Any, x: float, y: float, text: str, size: float) -> None:
        """``text`` ending at ``x``."""
        self.draw(canvas, x - self.width(text, size), y, text, size)


_registered: str | None = None
_fonts: Fonts | None = None


def register_font() -> str:
    """Register the CJK font and its fallbacks with ReportLab once per process (reading
    a 17 MB font collection takes a moment; every statement after that only subsets
    it)."""
    fonts()
    return FONT_NAME


def fonts() -> Fonts:
    global _registered, _fonts
    if _registered is None or _fonts is None:
        primary = font_path()
        _fonts = Fonts(primary, fallback_paths())
        _registered = primary[0]
    return _fonts


_TOKEN = re.compile(r"[\u0021-\u007e\u00a0-\u02ff\u2010-\u2027\u2030-\u22ff]+|\s+|.")
GREY, DARK, LIGHT = (0.33, 0.33, 0.33), (0.2, 0.2, 0.2), (0.47, 0.47, 0.47)


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` points: between words for Latin
    text, between any two characters for Chinese (a word longer than a line is broken
    between characters too). A newline always breaks."""
    measure = fonts().width
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(paragraph):
            advance = measure(token, size)
            if used + advance > width and line.strip():  # the token starts a new line
                lines.append(line.rstrip())
                line, used = "", 0.0
                if token.isspace():
                    continue
            if advance > width and not token.isspace():  # too long for any line
                for char in token:
                    step = measure(char, size)
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
            fonts().draw(self.canvas, self.left, self.y + (leading - size) / 2 + 1, line, size)
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
        wrapped = [wrap(c, w - 2 * PAD, SIZE) for c, w in zip(cells, widths, strict=True)]
        last = len(cells) - 1 if numbers else -1
        number_size = float(SIZE)
        if numbers and len(wrapped[last]) > 1 and "\n" not in cells[last]:
            room = widths[last] - 2 * PAD
            fits = SIZE * room / max(fonts().width(cells[last], SIZE), 1)
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
                    fonts().draw_right(canvas, x + w - PAD, y + 3, line, number_size)
                    canvas.setFont(FONT_NAME, SIZE)
                else:
                    fonts().draw(canvas, x + PAD, y + 3, line, SIZE)
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
    fonts().lost.clear()
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
    lost = fonts().lost
    if lost:
        logger.warning(
            "statement %r has characters no installed font has, printed as %s: %s "
            "(install fonts-hanazono or fonts-symbola, or set ATTAIN_STATEMENT_FALLBACK_FONTS;"
            " docs/pay.md)",
            document.subject,
            fonts().missing,
            " ".join(f"U+{ord(c):04X}" for c in lost),
        )
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
