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
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT_NAME = "AttainCJK"
SIZE, LEADING, PAD = 9, 12, 2
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


def _styles(language: str) -> dict[str, object]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    wrap = "CJK" if language.startswith("zh") else None
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=9, leading=12, wordWrap=wrap)
    return {
        "base": base,
        "company": ParagraphStyle("company", parent=base, fontSize=11, leading=14),
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, spaceAfter=6),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "cell": base,
        "head": ParagraphStyle("head", parent=base, textColor=colors.HexColor("#555555")),
        "num": ParagraphStyle("num", parent=base, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", parent=base, textColor=colors.HexColor("#333333")),
        "footer": ParagraphStyle(
            "footer", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#777777")
        ),
    }


def _p(text: str, style: object) -> object:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)  # type: ignore[arg-type]


def render(document: StatementDocument) -> bytes:
    """The statement as PDF bytes (A4). The same document gives the same bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    register_font()
    styles = _styles(document.language)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{document.title} · {document.subject}",
        author=document.company,
        subject=document.subject,
        creator="Attain",
        invariant=1,
        pageCompression=1,
    )
    width = doc.width
    story: list[object] = [
        _p(document.company, styles["company"]),
        _p(document.title, styles["title"]),
    ]
    facts = Table(
        [[_p(k, styles["head"]), _p(v, styles["cell"])] for k, v in document.facts],
        colWidths=[width * 0.28, width * 0.72],
        hAlign="LEFT",
    )
    facts.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(facts)
    for section in document.sections:
        story.append(_p(section.heading, styles["heading"]))
        if section.rows:
            story.append(_table(section, width, styles))
        elif section.empty:
            story.append(_p(section.empty, styles["note"]))
        for note in section.notes:
            story.append(Spacer(1, 2))
            story.append(_p(note, styles["note"]))
    if document.footer:
        story.append(Spacer(1, 10))
        story.append(_p(document.footer, styles["footer"]))
    doc.build(story)  # type: ignore[arg-type]
    return out.getvalue()


def _table(section: Section, width: float, styles: dict[str, object]) -> object:
    """A section's table. A cell is plain text when it fits its column (fast) and a
    wrapping paragraph only when it does not."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Table, TableStyle

    columns = len(section.header or section.rows[0])
    widths = [width * f for f in (section.widths or [1 / columns] * columns)]
    rows = [section.header] if section.header else []
    rows += [*section.rows, *([section.total] if section.total else [])]

    def cell(text: str, column: int, head: bool) -> object:
        if stringWidth(text, FONT_NAME, SIZE) <= widths[column] - 2 * PAD and "\n" not in text:
            return text
        last = column == columns - 1
        return _p(text, styles["num" if last else "head" if head else "cell"])

    data = [
        [cell(text, i, bool(section.header) and n == 0) for i, text in enumerate(row)]
        for n, row in enumerate(rows)
    ]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT_NAME, SIZE, LEADING),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), PAD),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
    ]
    if section.header:
        commands += [
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor("#555555")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#999999")),
        ]
    if section.total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    table = Table(data, colWidths=widths, repeatRows=1 if section.header else 0)
    table.setStyle(TableStyle(commands))
    return table


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
