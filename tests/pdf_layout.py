"""Where the text of a PDF stands on its pages, for the tests that check that login cards
lie whole on paper: every line of text with its page and its box in millimetres, measured
from the top left corner of its page (pdfminer.six reads the glyphs' real boxes)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class Line:
    page: int  # 0-based
    text: str
    left: float  # mm from the left edge of the page
    top: float  # mm from the top edge
    right: float
    bottom: float
    page_width: float  # mm
    page_height: float


def text_lines(data: bytes) -> list[Line]:
    """Every non-empty line of text of the PDF `data`, page by page."""
    lines: list[Line] = []
    # A small char_margin keeps the two columns of cards apart as separate lines.
    params = LAParams(char_margin=1.0, line_margin=0.2)
    for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=params)):
        width, height = page.width / MM, page.height / MM
        for item in _text_lines_of(page):
            text = item.get_text().strip()
            if text:
                x0, y0, x1, y1 = (v / MM for v in item.bbox)
                lines.append(Line(number, text, x0, height - y1, x1, height - y0, width, height))
    return lines


def _text_lines_of(container):
    for item in container:
        if isinstance(item, LTTextLine):
            yield item
        elif isinstance(item, LTTextContainer):
            yield from _text_lines_of(item)


def outside(lines: list[Line], margin: float) -> list[str]:
    """The lines that come closer than `margin` mm to an edge of their page, described."""
    return [
        f"page {line.page + 1}: {line.text!r} at ({line.left:.1f}, {line.top:.1f})–"
        f"({line.right:.1f}, {line.bottom:.1f}) mm"
        for line in lines
        if line.left < margin
        or line.top < margin
        or line.right > line.page_width - margin
        or line.bottom > line.page_height - margin
    ]


def pages_with(lines: list[Line], text: str) -> set[int]:
    """The pages on which a line holds `text`."""
    return {line.page for line in lines if text in line.text}
