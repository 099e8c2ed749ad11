"""A large school's export never meets the web timeout: the CSV streams (the first bytes
leave at once, the same bytes as `write_csv`), and an XLSX above `INLINE_XLSX_ROWS` rows is
made by a worker, kept in the database for its administrator alone and deleted once
downloaded or after a day."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Role, SchoolClass
from klasse.exports import rows as export_rows_module
from klasse.exports import views
from klasse.exports.background import export_file_make, export_file_request
from klasse.exports.models import ExportFile
from klasse.exports.writers import csv_chunks, export_rows, write_csv
from tests.conftest import client_for, make_account

TRICKY = ['=HYPERLINK("x")', "+31", "-5", "@foo", "1B,=2+5", "a, =1+1", "Puk;Muk", 'Jan "de Kip"']


@pytest.fixture
def dummy_tasks(settings):
    """Queue tasks without running them, as the database queue does until a worker comes."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


@pytest.fixture
def tricky_school(school_a, sara, tom):
    for n, name in enumerate(TRICKY):
        make_account(school_a, f"naam{n}", first_name=name, last_name=name, external_id="001")
    for name in ("=2+5", "-4", "1A"):
        SchoolClass.objects.create(school=school_a, name=name).teachers.add(tom)
    return school_a


def big(monkeypatch) -> None:
    """Every school is large enough for the worker."""
    monkeypatch.setattr(views, "INLINE_XLSX_ROWS", 0)


def post_export(client, fmt: str, **data):
    return client.post(reverse("users:export"), {"format": fmt, **data})


def test_the_csv_export_streams_the_same_bytes_as_the_writer(alice, tricky_school, monkeypatch):
    monkeypatch.setattr(export_rows_module, "CHUNK_SIZE", 3)  # several chunks of the query
    response = post_export(client_for(alice), "csv")
    assert isinstance(response, StreamingHttpResponse)
    streamed = b"".join(response.streaming_content)
    expected = io.BytesIO()
    write_csv(export_rows(school=tricky_school, include_archived=False), expected)
    assert streamed == expected.getvalue()
    assert b"'=HYPERLINK" in streamed and b"1B,'=2+5" in streamed and b"'-4,1A,3HB" in streamed


def test_csv_chunks_are_write_csv_cut_anywhere(tricky_school):
    rows = list(export_rows(school=tricky_school, include_archived=False))
    expected = io.BytesIO()
    write_csv(rows, expected)
    for size in (1, 2, 5, 1000):
        assert b"".join(csv_chunks(rows, rows_per_chunk=size)) == expected.getvalue()


def test_the_first_bytes_leave_before_the_accounts_are_read(
    alice, tricky_school, django_assert_num_queries
):
    response = post_export(client_for(alice), "csv")
    chunks = iter(response.streaming_content)
    with django_assert_num_queries(0):
        first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfachternaam;") and first.endswith(b"lesgroepen\r\n")


def test_a_small_schools_xlsx_comes_at_once(alice, sara):
    response = post_export(client_for(alice), "xlsx")
    assert "attachment" in response["Content-Disposition"]
    assert not ExportFile.objects.exists()


def test_a_large_xlsx_is_made_by_a_worker_and_downloaded_once(
    alice, tricky_school, dummy_tasks, monkeypatch
):
    big(monkeypatch)
    client = client_for(alice)
    response = post_export(client, "xlsx")
    export = ExportFile.objects.get()
    assert response["Location"] == reverse("users:export_file", args=[export.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Export wordt gemaakt…" in page
    assert reverse("users:export_file_status", args=[export.pk]) in page  # htmx polls it
    [queued] = dummy_tasks.results
    assert queued.args == [str(export.pk)]

    assert export_file_make(export_id=queued.args[0]) == len(TRICKY) + 2  # the worker
    fragment = client.get(reverse("users:export_file_status", args=[export.pk])).content.decode()
    assert "De export is klaar." in fragment and "hx-get" not in fragment
    download = reverse("users:export_file_download", args=[export.pk])
    assert download in fragment

    response = client.post(download)
    assert response["Content-Disposition"].startswith('attachment; filename="school-a-school-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert [row[3] for row in values[1:]] == [
        row[3] for row in export_rows(school=tricky_school, include_archived=False)
    ]
    assert {row[0] for row in values} >= {'\'=HYPERLINK("x")', "'-5", "1B,'=2+5"}
    assert not ExportFile.objects.exists()  # deleted as it was handed out
    again = client.post(download)
    assert again.status_code == 404


def test_with_the_inline_task_backend_the_file_is_ready_at_once(alice, sara, monkeypatch):
    big(monkeypatch)
    client = client_for(alice)
    page = client.get(post_export(client, "xlsx")["Location"]).content.decode()
    assert "De export is klaar." in page and "Het bestand bevat 1 account." in page


def test_exports_older_than_a_day_are_deleted_at_the_next_export(alice, bob, sara):
    old = export_file_request(
        actor=bob, fmt="xlsx", school_class=None, include_archived=False, file_name="b.xlsx"
    )
    ExportFile.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=1, seconds=1)
    )
    fresh = export_file_request(
        actor=alice, fmt="xlsx", school_class=None, include_archived=False, file_name="a.xlsx"
    )
    assert list(ExportFile.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert export_file_make(export_id=str(old.pk)) == 0  # an expired export is not made


def test_a_failing_export_says_so(alice, sara, dummy_tasks, monkeypatch):
    big(monkeypatch)
    client = client_for(alice)
    location = post_export(client, "xlsx")["Location"]

    def broken(*args, **kwargs):
        raise OSError("schijf vol")

    monkeypatch.setattr("klasse.exports.background.write_xlsx", broken)
    with pytest.raises(OSError):
        export_file_make(export_id=str(ExportFile.objects.get().pk))
    assert "Het maken van de export is mislukt." in client.get(location).content.decode()


def test_only_the_administrator_who_asked_can_reach_the_export(
    alice, bob, tom, sara, school_a, dummy_tasks, monkeypatch
):
    big(monkeypatch)
    post_export(client_for(alice), "xlsx")
    export = ExportFile.objects.get()
    export_file_make(export_id=str(export.pk))
    colleague = make_account(school_a, "admin2", Role.ADMIN)
    for name, method in (
        ("export_file", "get"),
        ("export_file_status", "get"),
        ("export_file_download", "post"),
    ):
        url = reverse(f"users:{name}", args=[export.pk])
        assert getattr(client_for(bob), method)(url).status_code == 404
        assert getattr(client_for(colleague), method)(url).status_code == 404
        assert getattr(client_for(tom), method)(url).status_code == 403
        assert getattr(client_for(sara), method)(url).status_code == 403
    assert ExportFile.objects.get().status == ExportFile.Status.DONE  # still there for alice


def test_a_purge_deletes_the_schools_exports(alice, sara, school_a, monkeypatch):
    from django.core.management import call_command

    big(monkeypatch)
    post_export(client_for(alice), "xlsx")
    assert ExportFile.objects.exists()
    sara.archived_at = timezone.now() - timedelta(days=400)
    sara.save()
    call_command("purge", archived_before=f"{timezone.localdate():%Y-%m-%d}", school="school-a")
    assert not ExportFile.objects.exists()
