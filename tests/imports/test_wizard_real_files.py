"""What the wizard shows of the real files (issue: real files from real schools): the sheet
it read, the lines above the header it skipped, and the stored value a damaged one did
not replace, as an administrator sees them on the mapping step and the preview."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import client_for
from tests.imports.wizard_helpers import mapped, uploaded

pytestmark = pytest.mark.django_db
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-files"


def test_the_mapping_step_names_the_visible_sheet_it_read(alice) -> None:
    client = client_for(alice)
    run = uploaded(client, (REAL / "08-hidden-first-sheet.xlsx").read_bytes(), "lijst.xlsx")
    assert run.file_info["sheet"] == "Leerlingen"
    page = client.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert "Leerlingen" in page
    assert "Alle verplichte velden zijn gekoppeld." in page


def test_the_preview_says_which_lines_above_the_header_were_skipped(alice) -> None:
    client = client_for(alice)
    run = mapped(client, (REAL / "02-title-line.csv").read_bytes(), "lijst.csv", add=True)
    page = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert "Meldingen over het bestand" in page
    assert "Rij 1 (&#x27;Leerlingenlijst 2025-2026&#x27;) staat boven de kopregel" in page


def test_the_preview_shows_the_stored_value_a_damaged_one_keeps(alice, school_a) -> None:
    call_command(
        "import",
        str(REAL / "21-question-marks-setup.csv"),
        "--school",
        "school-a",
        "--add",
        "--json",
        stdout=StringIO(),
    )
    client = client_for(alice)
    data = (REAL / "21-question-marks.csv").read_bytes()
    run = mapped(client, data, "lijst.csv", update=True)
    page = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert "De achternaam blijft &#x27;Yılmaz&#x27;" in page
