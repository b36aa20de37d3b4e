"""The briefing as an A4 PDF (reportlab), laid out to at most MAX_PAGES pages.

:func:`render_pdf` renders a `sim.report.briefing.Briefing` with the first layout of
:data:`DENSITIES` that fits, else the densest: title, key findings, the summary figure, the
focus scenario's figures, the headline table, scenarios and caveats - the same text as the
Markdown.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from sim.report.briefing import MAX_PAGES, Briefing, FigureRef

MARGIN = 1.5 * cm
TEXT_WIDTH = A4[0] - 2 * MARGIN
FIGURE_ASPECT = 9 / 16  # height / width of every figure
TITLE_PT, TITLE_LEADING = 16, 19
BODY_LEADING = 1.28  # line height as a multiple of the font size: body text
SMALL_LEADING = 1.25  # ... small text (subtitle, notes, lists)
HEADING_LEADING = 1.2  # ... headings and table cells
SMALL_BELOW_BODY = 1.5  # pt: small text is this much smaller than the body
HEADING_ABOVE_BODY = 2.5  # pt: headings are this much larger
BULLET_INDENT = 10  # pt
BULLET_SCALE = 0.8  # bullet size against the body font
GRID_WIDTH = 0.25  # pt: the headline table's grid
NOTE_GAP = 3  # pt between the table and its note
FOOTER_PT = 7.5  # the page footer: source and page number
FOOTER_Y = 0.8 * cm
FOOTER_CHARS = 110  # the page footer's source text is cut to this length
LABEL_COLUMN = 0.16  # share of the text width for the headline table's label column
GRID_COLOUR = "#BBBBBB"
HEAD_FILL = "#E8E8E8"
SECTION_FILL = "#F3F3F3"
BASELINE_INK = "#333333"
SMALL_INK = "#444444"
FOOTER_INK = "#666666"
TABLE_PADDING = (1.5, 1.5, 2, 2)  # top, bottom, left, right (pt)


@dataclass(frozen=True)
class Density:
    """Sizes of one PDF layout; the briefing tries denser ones until it fits MAX_PAGES."""

    body_pt: float
    figure_width: float  # share of the text width
    table_pt: float
    page_breaks: bool


DENSITIES = (
    Density(9.5, 1.0, 6.6, True),
    Density(9.0, 0.9, 6.3, True),
    Density(8.5, 0.82, 6.0, True),
    Density(8.0, 0.75, 5.8, False),
)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one layout."""

    body: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    cell: ParagraphStyle


def render_pdf(b: Briefing, folder: Path) -> tuple[bytes, int]:
    """The briefing as an A4 PDF and its number of pages: the first layout of DENSITIES that
    fits MAX_PAGES, else the densest."""
    data, pages = b"", 0
    for density in DENSITIES:
        data, pages = _pdf(b, folder, density)
        if pages <= MAX_PAGES:
            break
    return data, pages


def _pdf(b: Briefing, folder: Path, d: Density) -> tuple[bytes, int]:
    """The briefing in layout ``d``, and its number of pages."""
    return _build(b, _story(b, folder, d, _styles(d)))


def _styles(d: Density) -> Styles:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body",
        parent=base["BodyText"],
        fontName="Helvetica",
        fontSize=d.body_pt,
        leading=d.body_pt * BODY_LEADING,
        alignment=TA_LEFT,
        spaceAfter=2,
    )
    small = ParagraphStyle(
        "small",
        parent=body,
        fontSize=d.body_pt - SMALL_BELOW_BODY,
        leading=(d.body_pt - SMALL_BELOW_BODY) * SMALL_LEADING,
        textColor=colors.HexColor(SMALL_INK),
    )
    caption = ParagraphStyle("caption", parent=small, fontName="Helvetica-Oblique", spaceAfter=6)
    title = ParagraphStyle(
        "title",
        parent=base["Title"],
        fontName="Helvetica-Bold",
        fontSize=TITLE_PT,
        leading=TITLE_LEADING,
        alignment=TA_LEFT,
        spaceAfter=4,
    )
    h2 = ParagraphStyle(
        "h2",
        parent=base["Heading2"],
        fontName="Helvetica-Bold",
        fontSize=d.body_pt + HEADING_ABOVE_BODY,
        leading=(d.body_pt + HEADING_ABOVE_BODY) * HEADING_LEADING,
        spaceBefore=6,
        spaceAfter=3,
        keepWithNext=1,
    )
    cell = ParagraphStyle(
        "cell", parent=body, fontSize=d.table_pt, leading=d.table_pt * HEADING_LEADING, spaceAfter=0
    )
    return Styles(body, small, caption, title, h2, cell)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return Paragraph(html.escape(text), style)


def _bullets(items: list[Any], d: Density) -> ListFlowable:
    return ListFlowable(
        [ListItem(i, leftIndent=BULLET_INDENT) for i in items],
        bulletType="bullet",
        start="\u2022",
        leftIndent=BULLET_INDENT,
        bulletFontSize=d.body_pt * BULLET_SCALE,
    )


def _figure(ref: FigureRef, folder: Path, d: Density, s: Styles) -> KeepTogether:
    """A figure at the layout's width, kept together with its caption."""
    w = TEXT_WIDTH * d.figure_width
    img = Image(str(folder / ref.path), width=w, height=w * FIGURE_ASPECT)
    img.hAlign = "CENTER"
    text = f"<b>Figure {ref.number}.</b> {html.escape(ref.title)}. {html.escape(ref.caption)}"
    return KeepTogether([img, Paragraph(text, s.caption)])


def _story(b: Briefing, folder: Path, d: Density, s: Styles) -> list[Any]:
    """The flowables of the briefing, in order, with page breaks if the layout has them."""
    story: list[Any] = [_p(b.title, s.title), _p(b.subtitle, s.small)]
    if b.counterfactual:
        story.append(_p(b.counterfactual, s.small))
    if b.warning:
        story.append(Paragraph(f"<b>Warning: {html.escape(b.warning)}</b>", s.body))
    if b.bottom_line:
        story += [_p("Bottom line", s.h2), _p(b.bottom_line, s.body)]
        story.append(_table(b.scorecard_header, b.scorecard_rows, s.cell))
        story += [Spacer(1, NOTE_GAP), _p(b.scorecard_note, s.small)]
    story.append(_p("Key findings", s.h2))
    story.append(
        _bullets(
            [
                Paragraph(f"<b>{html.escape(lab)}</b>: {html.escape(t)}", s.body)
                for lab, t in b.findings
            ],
            d,
        )
    )
    story += [_p("Effects of all scenarios", s.h2), _figure(b.summary_figure, folder, d, s)]
    if d.page_breaks:
        story.append(PageBreak())
    story.append(_p(b.detail_heading, s.h2))
    for i, ref in enumerate(b.detail_figures):
        story.append(_figure(ref, folder, d, s))
        if d.page_breaks and i == 1:
            story.append(PageBreak())
    if b.other_figures:
        story.append(_p(b.other_figures, s.small))
    if d.page_breaks:
        story.append(PageBreak())
    story.append(_p("Headline table", s.h2))
    story.append(_table(b.table_header, b.table_rows, s.cell))
    story += [Spacer(1, NOTE_GAP), _p(b.table_note, s.small)]
    story += [_p("Scenarios and windows", s.h2), _bullets([_p(x, s.small) for x in b.scenarios], d)]
    story += [_p("Assumptions and caveats", s.h2), _bullets([_p(c, s.small) for c in b.caveats], d)]
    return story


def _build(b: Briefing, story: list[Any]) -> tuple[bytes, int]:
    """Lay ``story`` out on A4 pages with the footer line; the PDF and its number of pages."""
    buffer = io.BytesIO()
    pages = [0]

    def on_page(canvas: Any, doc: Any) -> None:
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont("Helvetica", FOOTER_PT)
        canvas.setFillColor(colors.HexColor(FOOTER_INK))
        canvas.drawString(MARGIN, FOOTER_Y, b.subtitle.split(";")[0][:FOOTER_CHARS])
        canvas.drawRightString(A4[0] - MARGIN, FOOTER_Y, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=b.title,
        author="vraem-sim",
        subject="Scenario briefing",
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue(), pages[0]


def _table(
    header: list[str], rows: list[tuple[str, str, list[Any]]], cell: ParagraphStyle
) -> Table:
    """A table of the briefing (the headline table, the scorecard): a label column and one
    column per outcome."""
    n = len(header)
    label_w = TEXT_WIDTH * LABEL_COLUMN
    col_w = (TEXT_WIDTH - label_w) / (n - 1)
    bold = cell.clone("bold", fontName="Helvetica-Bold")
    head = cell.clone("head", fontName="Helvetica-Bold")
    data = [[Paragraph(html.escape(h), head) for h in header]]
    top, bottom, left, right = TABLE_PADDING
    style = [
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.HexColor(GRID_COLOUR)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD_FILL)),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
        ("LEFTPADDING", (0, 0), (-1, -1), left),
        ("RIGHTPADDING", (0, 0), (-1, -1), right),
    ]
    for kind, label, cells in rows:
        r = len(data)
        if kind == "section":
            data.append([Paragraph(f"<b>{html.escape(label)}</b>", cell)] + [""] * (n - 1))
            style += [
                ("SPAN", (0, r), (-1, r)),
                ("BACKGROUND", (0, r), (-1, r), colors.HexColor(SECTION_FILL)),
            ]
            continue
        row = [Paragraph(html.escape(label), head if kind == "baseline" else cell)]
        for c in cells:
            text = html.escape(c.text) + (f"<br/>{html.escape(c.sub)}" if c.sub else "")
            row.append(Paragraph(text, bold if c.bold else cell))
        data.append(row)
        if kind == "baseline":
            style.append(("TEXTCOLOR", (0, r), (-1, r), colors.HexColor(BASELINE_INK)))
    return Table(
        data, colWidths=[label_w] + [col_w] * (n - 1), style=TableStyle(style), repeatRows=1
    )
