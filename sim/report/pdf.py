"""The briefing as an A4 PDF (reportlab), laid out to at most MAX_PAGES pages.

:func:`render_pdf` renders a `sim.report.briefing.Briefing` with the first layout of
:data:`DENSITIES` that fits, else the densest: title and key findings (portrait), the summary
figure and the focus scenario's four figures (one A4 landscape page each), then the headline
table, scenarios and caveats (portrait) - the same text as the Markdown.

Everything prints at MIN_TEXT_PT (7 pt) or more: the text the PDF sets (every size of every
layout of DENSITIES, the footer, the bullets) and the figures. A figure is drawn for slides, 16 in
wide with no text under `sim.report.style.MIN_FONT_PT` (10.5 pt), and printed across a landscape
page, FIGURE_WIDTH = 10.9 in wide: its smallest text prints at 10.5 x 10.9 / 16 = 7.2 pt. On a
portrait page (7 in) it would print at 4.6 pt.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sim.report.briefing import MAX_PAGES, Briefing, FigureRef

MIN_TEXT_PT = 7.0  # nothing in the PDF prints smaller (issue 14: print-readable)
PORTRAIT, LANDSCAPE = "portrait", "landscape"  # the page templates
MARGIN = 1.5 * cm  # portrait pages (text)
TEXT_WIDTH = A4[0] - 2 * MARGIN
WIDE_MARGIN, WIDE_BOTTOM = 1.0 * cm, 1.2 * cm  # landscape pages (figures): sides and top, bottom
FIGURE_WIDTH = landscape(A4)[0] - 2 * WIDE_MARGIN  # every figure, in pt (10.9 in)
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
FOOTER_Y = 0.6 * cm
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
    """Type sizes of one PDF layout; the briefing tries denser ones until it fits MAX_PAGES.
    Small text (subtitle, captions, notes, lists) is SMALL_BELOW_BODY under the body; no size
    of any layout is under MIN_TEXT_PT. The figures do not shrink: each has its own page."""

    body_pt: float
    table_pt: float


DENSITIES = (
    Density(9.5, 8.0),
    Density(9.0, 7.5),
    Density(8.5, 7.0),
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
        bulletFontSize=max(d.body_pt * BULLET_SCALE, MIN_TEXT_PT),
    )


def _figure(ref: FigureRef, folder: Path, s: Styles) -> KeepTogether:
    """A figure across a landscape page (FIGURE_WIDTH, its own aspect), kept together with its
    caption."""
    path = str(folder / ref.path)
    width_px, height_px = ImageReader(path).getSize()
    img = Image(path, width=FIGURE_WIDTH, height=FIGURE_WIDTH * height_px / width_px)
    img.hAlign = "CENTER"
    text = f"<b>Figure {ref.number}.</b> {html.escape(ref.title)}. {html.escape(ref.caption)}"
    return KeepTogether([img, Paragraph(text, s.caption)])


def _story(b: Briefing, folder: Path, d: Density, s: Styles) -> list[Any]:
    """The flowables of the briefing, in order: portrait text, a landscape page per figure,
    portrait text."""
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
    story += [NextPageTemplate(LANDSCAPE), PageBreak()]
    story += [_p("Effects of all scenarios", s.h2), _figure(b.summary_figure, folder, s)]
    for i, ref in enumerate(b.detail_figures):
        story.append(PageBreak())
        if i == 0:
            story.append(_p(b.detail_heading, s.h2))
        story.append(_figure(ref, folder, s))
    if b.other_figures:
        story.append(_p(b.other_figures, s.small))
    story += [NextPageTemplate(PORTRAIT), PageBreak()]
    story.append(_p("Headline table", s.h2))
    story.append(_table(b.table_header, b.table_rows, s.cell))
    story += [Spacer(1, NOTE_GAP), _p(b.table_note, s.small)]
    story += [_p("Scenarios and windows", s.h2), _bullets([_p(x, s.small) for x in b.scenarios], d)]
    story += [_p("Assumptions and caveats", s.h2), _bullets([_p(c, s.small) for c in b.caveats], d)]
    return story


def _build(b: Briefing, story: list[Any]) -> tuple[bytes, int]:
    """Lay ``story`` out on A4 pages (portrait for text, landscape for figures) with the footer
    line; the PDF and its number of pages."""
    buffer = io.BytesIO()
    pages = [0]

    def footer_for(size: tuple[float, float], margin: float) -> Any:
        def on_page(canvas: Any, doc: Any) -> None:
            pages[0] = doc.page
            canvas.saveState()
            canvas.setFont("Helvetica", FOOTER_PT)
            canvas.setFillColor(colors.HexColor(FOOTER_INK))
            canvas.drawString(margin, FOOTER_Y, b.subtitle.split(";")[0][:FOOTER_CHARS])
            canvas.drawRightString(size[0] - margin, FOOTER_Y, f"page {doc.page}")
            canvas.restoreState()

        return on_page

    def template(name: str, size: tuple[float, float], side: float, bottom: float) -> PageTemplate:
        frame = Frame(
            side,
            bottom,
            size[0] - 2 * side,
            size[1] - side - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=name,
        )
        return PageTemplate(name, [frame], onPage=footer_for(size, side), pagesize=size)

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[
            template(PORTRAIT, A4, MARGIN, MARGIN),
            template(LANDSCAPE, landscape(A4), WIDE_MARGIN, WIDE_BOTTOM),
        ],
        title=b.title,
        author="vraem-sim",
        subject="Scenario briefing",
    )
    doc.build(story)
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
