"""A large import's fix-up XLSX never meets the web timeout: above `INLINE_FIXUP_ROWS` rows
with errors the preview asks a worker for it, the file is kept in the database for the
administrator who asked alone, handed out once and then deleted. A small one comes at once
(`test_wizard_steps.py`)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.tasks import default_task_backend
from django.urls import reverse

from klasse.accounts.models import Role
from klasse.exports.models import ExportFile
from klasse.imports.fixup_files import fixup_file_make
from klasse.imports.runs import run_discard_file, run_prepare
from klasse.imports.wizard import preview
from klasse.imports.wizard.fixup import fixup_rows, fixup_xlsx
from tests.conftest import client_for, make_account, template_csv
from tests.imports.wizard_helpers import mapped

pytestmark = pytest.mark.django_db
ERRORS = [f"=1+{n};;Kind;kind{n};;k{n}@example.nl;3HB;havo 9;;00{n}" for n in range(3)]


@pytest.fixture
def admin(alice):
    return client_for(alice)


@pytest.fixture
def dummy_tasks(settings):
    """Queue tasks without running them, as the database queue does until a worker comes."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


@pytest.fixture
def big(monkeypatch):
    """Every fix-up file is large enough for the worker."""
    monkeypatch.setattr(preview, "INLINE_FIXUP_ROWS", 1)


def test_a_large_fixup_xlsx_is_made_by_the_worker_and_downloaded_once(admin, big, dummy_tasks):
    run = mapped(admin, template_csv("Jansen;;Zoë;zoe;;z@example.nl;3HB;havo 3;;", *ERRORS))
    page = admin.get(reverse("imports:preview", args=[run.pk])).content.decode()
    make = reverse("imports:fixup_make", args=[run.pk])
    assert "Maak herstelbestand (XLSX)" in page and make in page
    assert reverse("imports:fixup_xlsx", args=[run.pk]) not in page

    response = admin.post(make)
    fixup = ExportFile.objects.get()
    assert fixup.import_run_id == run.pk and fixup.file_name == "leerlingen-fouten.xlsx"
    assert response["Location"] == reverse("imports:fixup_file", args=[fixup.pk])
    page = admin.get(response["Location"]).content.decode()
    assert "Herstelbestand wordt gemaakt…" in page
    assert reverse("imports:fixup_file_status", args=[fixup.pk]) in page  # htmx polls it
    queued = dummy_tasks.results[-1]  # after the reading of the upload
    assert queued.task.name == "make_fixup_file" and queued.args == [str(fixup.pk)]

    assert fixup_file_make(file_id=queued.args[0]) == 3  # the worker
    stored = ExportFile.objects.get()
    assert stored.status == "done" and bytes(stored.content).startswith(b"PK")  # in the DB
    status = reverse("imports:fixup_file_status", args=[fixup.pk])
    fragment = admin.get(status).content.decode()
    assert "Het herstelbestand is klaar." in fragment and "hx-get" not in fragment
    assert "Het bestand bevat 3 rijen met een fout." in fragment
    download = reverse("imports:fixup_file_download", args=[fixup.pk])
    assert download in fragment

    response = admin.post(download)
    assert response["Content-Disposition"] == 'attachment; filename="leerlingen-fouten.xlsx"'
    assert response.content == fixup_xlsx(*fixup_rows(run_prepare(run)))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["K1"].value == "probleem" and sheet["A2"].value == "'=1+0"
    assert sheet["J4"].value == "002" and sheet["J4"].data_type == "s"
    assert not ExportFile.objects.exists()  # deleted as it was handed out
    assert admin.post(download).status_code == 404


def test_with_the_inline_task_backend_the_fixup_file_is_ready_at_once(admin, big):
    run = mapped(admin, template_csv(*ERRORS))
    page = admin.get(admin.post(reverse("imports:fixup_make", args=[run.pk]))["Location"])
    assert "Het herstelbestand is klaar." in page.content.decode()


def test_the_large_fixup_xlsx_address_sends_back_to_the_preview_and_stores_nothing(admin, big):
    run = mapped(admin, template_csv(*ERRORS))
    response = admin.get(reverse("imports:fixup_xlsx", args=[run.pk]))
    assert response["Location"] == reverse("imports:preview", args=[run.pk])
    assert not ExportFile.objects.exists()
    csv = admin.get(reverse("imports:fixup_csv", args=[run.pk]))  # the CSV still streams
    assert b"".join(csv.streaming_content).count(b"\r\n") == 4


def test_a_fixup_file_whose_upload_is_gone_fails_and_says_so(admin, big, dummy_tasks):
    run = mapped(admin, template_csv(*ERRORS))
    admin.post(reverse("imports:fixup_make", args=[run.pk]))
    fixup = ExportFile.objects.get()
    run_discard_file(run)
    with pytest.raises(Exception):  # noqa: B017 — raised for the worker's log
        fixup_file_make(file_id=str(fixup.pk))
    page = admin.get(reverse("imports:fixup_file", args=[fixup.pk])).content.decode()
    assert "Het maken van het herstelbestand is mislukt." in page
    assert ExportFile.objects.get().status == "failed"


def test_only_the_administrator_who_asked_reaches_the_fixup_file(
    admin, alice, bob, tom, school_a, big, dummy_tasks
):
    run = mapped(admin, template_csv(*ERRORS))
    admin.post(reverse("imports:fixup_make", args=[run.pk]))
    fixup = ExportFile.objects.get()
    fixup_file_make(file_id=str(fixup.pk))
    colleague = make_account(school_a, "carla", Role.ADMIN)
    for name in ("fixup_file", "fixup_file_status", "fixup_file_download"):
        url = reverse(f"imports:{name}", args=[fixup.pk])
        for method in ("get", "post"):
            assert getattr(client_for(bob), method)(url).status_code in (404, 405), url
            assert getattr(client_for(colleague), method)(url).status_code in (404, 405), url
            assert getattr(client_for(tom), method)(url).status_code == 403, url
    assert client_for(bob).post(reverse("imports:fixup_make", args=[run.pk])).status_code == 404
    assert client_for(tom).post(reverse("imports:fixup_make", args=[run.pk])).status_code == 403
    assert admin.get(reverse("users:export_file", args=[fixup.pk])).status_code == 404
    assert ExportFile.objects.get().status == "done"  # nobody else took it


def test_stopping_the_import_deletes_its_fixup_file(admin, big, dummy_tasks):
    run = mapped(admin, template_csv(*ERRORS))
    admin.post(reverse("imports:fixup_make", args=[run.pk]))
    admin.post(reverse("imports:cancel", args=[run.pk]))
    assert not ExportFile.objects.exists()
