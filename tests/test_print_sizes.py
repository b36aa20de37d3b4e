"""The printed briefing is readable: every text of briefing.pdf, its own and its figures', prints
at 7 pt or more (issue 14, part 8).

The PDF's own text is read back from the file (pypdf: font size times the scale of the text and
transformation matrices). A figure's text prints at its size in the figure times the width the
PDF gives the image over the figure's width in inches; the sizes are those matplotlib draws
(every `Text.draw` of the run is recorded, figure by figure), the widths those of the page.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

from conftest import SCENARIOS
from matplotlib.text import Text
from pypdf import PdfReader
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report import briefing_figures

runner = CliRunner()

MIN_PRINTED_PT = 7.0
POINTS_PER_INCH = 72.0
FIGURES_IN_THE_PDF = 5  # the summary and the focus scenario's four
SURGE = f"""
name: callao_surge
extends: {SCENARIOS / "baseline.yaml"}
description: Port control at Callao tripled for a year.
interventions:
  - {{type: interdiction_surge, week: 26, weeks: 52, nodes: [callao], factor: 3.0,
     label: "Callao port control x3"}}
"""


def _text_sizes(reader: PdfReader) -> list[tuple[float, int, str]]:
    """(printed size in pt, page, text) of every piece of text the PDF sets."""
    found: list[tuple[float, int, str]] = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text, cm, tm, _font, size, number=number):
            if not text.strip():
                return
            # the text's vertical unit in page space, the second row of tm x cm
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            found.append((size * math.hypot(c, d), number, text.strip()))

        page.extract_text(visitor_text=visit)
    return found


def _images(reader: PdfReader) -> list[tuple[int, float, int]]:
    """(page, printed width in pt, width in pixels) of every image, in page order."""
    placed: list[tuple[int, float, int]] = []
    for number, page in enumerate(reader.pages, start=1):
        xobjects = page["/Resources"].get("/XObject", {})

        def visit(op, args, cm, _tm, number=number, xobjects=xobjects):
            if op != b"Do":
                return
            xobject = xobjects[args[0]].get_object()
            if xobject.get("/Subtype") == "/Image":
                placed.append((number, math.hypot(cm[0], cm[1]), int(xobject["/Width"])))

        page.extract_text(visitor_operand_before=visit)
    return placed


def test_every_text_in_the_briefing_pdf_prints_at_least_7_points(tmp_path, monkeypatch):
    drawn: dict[int, list[tuple[float, str]]] = defaultdict(list)  # id(figure) -> texts
    saved = {}  # file name -> figure
    draw, save = Text.draw, briefing_figures.save_figure

    def recording_draw(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn[id(self.get_figure(root=True))].append((self.get_fontsize(), self.get_text()))
        return draw(self, renderer)

    def recording_save(fig, path, *args, **kwargs):
        saved[Path(path).name] = fig
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(Text, "draw", recording_draw)
    monkeypatch.setattr(briefing_figures, "save_figure", recording_save)
    scenario = tmp_path / "surge.yaml"
    scenario.write_text(SURGE, encoding="utf-8")
    out = tmp_path / "briefing"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(scenario), "--replicates", "3"]
    args += ["--weeks", "104", "--seed", "11", "--workers", "1", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output + res.stderr
    reader = PdfReader(out / "briefing.pdf")

    # (a) the text the PDF sets: title, paragraphs, bullets, tables, captions, notes, footers
    texts = _text_sizes(reader)
    assert len(texts) > 100 and any("Headline table" in t for _, _, t in texts)
    smallest = min(texts)
    assert smallest[0] >= MIN_PRINTED_PT - 1e-6, f"{smallest[0]:.2f} pt on page {smallest}"

    # (b) the figures: in the order the briefing shows them (the Markdown links them in order)
    md = (out / "briefing.md").read_text(encoding="utf-8")
    files = [Path(p).name for p in re.findall(r"\]\((figures/[^)]+\.png)\)", md)]
    images = _images(reader)
    assert len(files) == len(images) == FIGURES_IN_THE_PDF
    assert len({page for page, _, _ in images}) == FIGURES_IN_THE_PDF  # a page each
    for name, (page, width_pt, width_px) in zip(files, images, strict=True):
        fig = saved[name]
        assert width_px == round(fig.get_figwidth() * fig.dpi), name  # this figure's image
        sizes = drawn[id(fig)]
        assert sizes, f"no text drawn in {name}"
        font_pt, text = min(sizes)
        printed = font_pt * (width_pt / POINTS_PER_INCH) / fig.get_figwidth()
        assert printed >= MIN_PRINTED_PT, (
            f"{name} (page {page}): {text[:40]!r} is {font_pt} pt in a {fig.get_figwidth()} in "
            f"figure printed {width_pt / POINTS_PER_INCH:.2f} in wide: {printed:.2f} pt"
        )
