"""Login sheets (inlogkaartjes) as a PDF: ten cards to an A4 page, to cut and hand out.

Every card lies whole inside the part of the page that printers print: at least MARGIN
(10 mm) from each edge (A4 is 210 × 297 mm), which `tests/accounts/test_login_sheets.py`
checks from the text positions of the PDF. The page is heading (HEADING_Y), the cards
in COLUMNS × ROWS from TOP, and at most one line of note (NOTE_Y) under the last row.

Names need their accents (Zoë, Çelik, Yılmaz). DejaVu Sans covers them all; Debian's
`fonts-dejavu-core` installs it, and the machines Klasse runs on have it. Where it is
missing the PDF falls back to the built-in Helvetica, which knows Windows-1252 (ë, é, ü, ç,
š): a letter outside that set is written without its accent (`ı` → `i`) and the card says
so, because a wrong letter on a login card must never pass unnoticed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.utils.timezone import localdate
from fpdf import FPDF

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 10.0  # what most printers cannot print, on every edge
CARD_W, CARD_H = 92.0, 48.0
COLUMNS, ROWS = 2, 5
LEFT, TOP, GAP = 11.0, 24.0, 3.0  # 24 + 5 × 48 + 4 × 3 = 276 mm: the last row ends there
HEADING_Y, NOTE_Y = 11.0, 278.0  # the note wraps to two lines of 4 mm: 286 at most
SIMPLIFIED_NOTE = (
    "* Een letter die dit lettertype niet kent, staat zonder accent op het kaartje. "
    "Gebruik de afdrukpagina in de browser voor de exacte spelling."
)
_SIMPLER = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h"})


class Card(Protocol):
    name: str
    username: str
    password: str | None
    note: str


@dataclass(frozen=True)
class _Fonts:
    sans: str
    mono: str
    unicode: bool


def login_sheet_pdf(
    cards: Sequence[Card],
    *,
    school_name: str,
    class_name: str,
    login_url: str,
    font_dirs: Sequence[Path] = FONT_DIRS,
    title: str | None = None,
) -> bytes:
    """The cards in the order given, with a heading on every page: `title` (the class's
    "Inlogkaartjes klas 3HB" when None), the school and the date."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Inlogkaartjes {class_name}")
    pdf.set_creator("Klasse")
    fonts = _load_fonts(pdf, font_dirs)
    per_page = COLUMNS * ROWS
    title = title or f"Inlogkaartjes klas {class_name}"
    heading = f"{title} · {school_name} · {localdate():%d-%m-%Y}"
    for start in range(0, max(len(cards), 1), per_page):
        pdf.add_page()
        pdf.set_text_color(20, 30, 45)
        text, lost = _fit(heading, fonts)
        below = _draw_heading(pdf, fonts, text)
        pdf.set_font(fonts.sans, "", 9 if below <= HEADING_Y + 6 else 8)
        pdf.set_xy(LEFT, below)
        pdf.cell(0, 4.5, "Knip langs de stippellijnen. Geef elk kaartje alleen aan wie erop staat.")
        for index, card in enumerate(cards[start : start + per_page]):
            x = LEFT + (index % COLUMNS) * (CARD_W + GAP)
            y = TOP + (index // COLUMNS) * (CARD_H + GAP)
            lost |= _draw_card(pdf, fonts, card, x, y, school_name, login_url)
        if not cards:
            pdf.set_xy(LEFT, TOP)
            pdf.cell(0, 6, "Deze klas heeft geen actieve leerlingen.")
        if lost:
            pdf.set_text_color(20, 30, 45)
            pdf.set_font(fonts.sans, "", 8)
            pdf.set_xy(LEFT, NOTE_Y)
            pdf.multi_cell(PAGE_W - 2 * LEFT, 4, SIMPLIFIED_NOTE)
    return bytes(pdf.output())


def _draw_card(pdf: FPDF, fonts: _Fonts, card: Card, x, y, school_name, login_url) -> bool:
    pdf.set_draw_color(140, 140, 140)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.rect(x, y, CARD_W, CARD_H)
    lost = False
    inner = CARD_W - 10
    pdf.set_text_color(90, 100, 115)
    pdf.set_font(fonts.sans, "", 8)
    pdf.set_xy(x + 5, y + 4)
    text, flag = _fit(f"{school_name} · Klasse", fonts)
    pdf.cell(inner, 4, _shorten(pdf, text, inner))
    lost |= flag
    pdf.set_text_color(20, 30, 45)
    pdf.set_font(fonts.sans, "B", 13)
    pdf.set_xy(x + 5, y + 10)
    text, flag = _fit(card.name, fonts)
    pdf.cell(inner, 7, _shorten(pdf, text + (" *" if flag else ""), inner))
    lost |= flag
    rows = (("Gebruikersnaam", card.username), ("Wachtwoord", card.password))
    for offset, (label, value) in zip((19, 29), rows, strict=True):
        pdf.set_font(fonts.sans, "", 8)
        pdf.set_xy(x + 5, y + offset)
        pdf.cell(inner, 4, label)
        pdf.set_xy(x + 5, y + offset + 4)
        if value is None:  # what is true of the password instead (login_cards.card_note)
            pdf.set_font(fonts.sans, "", 8)
            text, flag = _fit(getattr(card, "note", ""), fonts)
            pdf.cell(inner, 6, _shorten(pdf, text, inner))
            continue
        pdf.set_font(fonts.mono, "B", 12)
        text, flag = _fit(value, fonts)
        pdf.cell(inner, 6, _shorten(pdf, text + (" *" if flag else ""), inner))
        lost |= flag
    pdf.set_font(fonts.sans, "", 7)
    pdf.set_text_color(90, 100, 115)
    pdf.set_xy(x + 5, y + CARD_H - 6)
    pdf.cell(inner, 4, _shorten(pdf, f"Inloggen: {login_url}", inner))
    return lost


def _load_fonts(pdf: FPDF, font_dirs: Sequence[Path]) -> _Fonts:
    files = {
        ("DejaVu", ""): "DejaVuSans.ttf",
        ("DejaVu", "B"): "DejaVuSans-Bold.ttf",
        ("DejaVuMono", ""): "DejaVuSansMono.ttf",
        ("DejaVuMono", "B"): "DejaVuSansMono-Bold.ttf",
    }
    for folder in font_dirs:
        if all((folder / name).is_file() for name in files.values()):
            for (family, style), name in files.items():
                pdf.add_font(family, style, str(folder / name))
            return _Fonts("DejaVu", "DejaVuMono", unicode=True)
    pdf.core_fonts_encoding = "windows-1252"
    return _Fonts("Helvetica", "Courier", unicode=False)


def _fit(text: str, fonts: _Fonts) -> tuple[str, bool]:
    """`text` as the font can write it, and whether a letter had to be simplified."""
    if fonts.unicode:
        return text, False
    try:
        text.encode("cp1252")
        return text, False
    except UnicodeEncodeError:
        pass
    simpler = []
    for char in text:
        try:
            char.encode("cp1252")
            simpler.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char.translate(_SIMPLER))
            base = "".join(c for c in base if not unicodedata.combining(c))
            simpler.append(base.encode("cp1252", "replace").decode("cp1252") or "?")
    return "".join(simpler), True


def _draw_heading(pdf: FPDF, fonts: _Fonts, text: str) -> float:
    """The page's heading at HEADING_Y, whole where it can be: on one line at 13 pt, or a
    smaller size down to 10 pt; else on two lines at 9 pt (a long school and file name);
    only what does not fit in two lines is cut, with "…". Returns the y (mm) under it,
    at most HEADING_Y + 7.6, so the line under it ends above the cards (TOP)."""
    width = PAGE_W - 2 * LEFT
    for size in (13, 12, 11, 10):
        pdf.set_font(fonts.sans, "B", size)
        if pdf.get_string_width(text) <= width:
            pdf.set_xy(LEFT, HEADING_Y)
            pdf.cell(0, 6, text)
            return HEADING_Y + 6
    pdf.set_font(fonts.sans, "B", 9)
    words, first = text.split(" "), ""
    while words and pdf.get_string_width((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    second = _shorten(pdf, " ".join(words), width)
    for line, y in ((first, HEADING_Y), (second, HEADING_Y + 3.8)):
        pdf.set_xy(LEFT, y)
        pdf.cell(0, 3.8, line)
    return HEADING_Y + 7.6


def _shorten(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"
