"""No web process waits on a file: the upload is stored in the database and read once by a
worker, within a time budget, while the wizard shows "Bestand wordt gelezen…"; one school
may keep only so many files waiting (issue 14, item 3)."""

import pytest
from django.urls import reverse

from klasse.imports.file_reading import run_read
from klasse.imports.models import ImportRun, UploadedFile
from tests.conftest import client_for
from tests.imports.wizard_helpers import MAGISTER, upload, uploaded

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice):
    return client_for(alice)


@pytest.fixture
def queued(settings):
    """Tasks wait in the database queue, as in production, until a worker takes them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_upload_only_stores_the_file_and_the_page_waits_for_the_worker(
    admin, queued, monkeypatch
):
    monkeypatch.setattr("klasse.imports.file_reading.read_upload", pytest.fail)
    response = upload(admin, MAGISTER.read_bytes())
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("imports:reading", args=[run.pk])
    assert run.status == "reading" and run.upload.table is None
    page = admin.get(response["Location"]).content.decode()
    assert "Bestand wordt gelezen…" in page
    assert reverse("imports:reading_status", args=[run.pk]) in page
    assert admin.get(reverse("imports:mapping", args=[run.pk]))["Location"] == response["Location"]
    monkeypatch.undo()
    assert run_read(run_id=str(run.pk)) == "read"
    status = admin.get(reverse("imports:reading_status", args=[run.pk]))
    assert status["HX-Redirect"] == reverse("imports:reading", args=[run.pk])
    follow = admin.get(status["HX-Redirect"])
    assert follow["Location"] == reverse("imports:mapping", args=[run.pk])


def test_the_mapping_and_the_preview_use_the_table_read_once(admin, monkeypatch):
    run = uploaded(admin, MAGISTER.read_bytes())
    monkeypatch.setattr("klasse.imports.core.pipeline.read_table", pytest.fail)
    assert admin.get(reverse("imports:mapping", args=[run.pk])).status_code == 200


def test_a_file_problem_found_by_the_worker_is_shown_on_step_1(admin, queued):
    response = upload(admin, b"%PDF-1.4 not a sheet", "lijst.csv")
    run = ImportRun.objects.get()
    assert run_read(run_id=str(run.pk)) == "failed"
    page = admin.get(response["Location"]).content.decode()
    assert "geen spreadsheet" in page and "Kies bestand (CSV, XLSX of XML)" in page
    assert not ImportRun.objects.exists() and not UploadedFile.objects.exists()


def test_a_reading_over_its_time_budget_stops_with_a_dutch_message(admin, queued, settings):
    settings.KLASSE_READ_SECONDS = -1  # every check is over the budget
    rows = [f"Kind{i};;Leerling{i};ll{i};;ll{i}@example.nl;3HB;havo 3;;" for i in range(1500)]
    data = (
        "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mail;klas;"
        "opleiding;rol;stamnummer\n" + "\n".join(rows)
    ).encode()
    response = upload(admin, data)
    run = ImportRun.objects.get()
    assert run_read(run_id=str(run.pk)) == "failed"
    page = admin.get(response["Location"]).content.decode()
    assert "duurde langer dan" in page and "Splits het bestand" in page


def test_a_school_may_keep_only_so_many_files_waiting(admin, settings, bob):
    settings.KLASSE_MAX_PENDING_UPLOADS = 2
    for _ in range(2):
        uploaded(admin, MAGISTER.read_bytes())
    response = upload(admin, MAGISTER.read_bytes())
    page = response.content.decode()
    assert response.status_code == 200 and "meer dan 2 tegelijk kan niet" in page
    assert "Maak een eerdere import af of stop hem" in page
    assert ImportRun.objects.count() == 2
    # Another school is not held back by school A's files.
    assert upload(client_for(bob), MAGISTER.read_bytes()).status_code == 302
    # Stopping one makes room again.
    run = ImportRun.objects.filter(school__slug="school-a").first()
    admin.post(reverse("imports:cancel", args=[run.pk]))
    assert upload(admin, MAGISTER.read_bytes()).status_code == 302


def test_a_school_may_keep_only_so_many_bytes_waiting(admin, settings):
    size = len(MAGISTER.read_bytes())
    settings.KLASSE_MAX_PENDING_BYTES = size * 2 - 1
    uploaded(admin, MAGISTER.read_bytes())
    page = upload(admin, MAGISTER.read_bytes()).content.decode()
    assert "samen groter dan" in page and "stop hem (knop Stoppen)" in page
    assert UploadedFile.objects.count() == 1
