"""One time (issue 17, item 8): the history list, the history detail, the result page, the
school's log and the JSON report show the same two stored moments of an import, started
(`started_at`) and finished (`finished_at`), in Europe/Amsterdam, as `d-m-Y H:i` on the
pages, also when the import starts in one minute and finishes in the next."""

import json
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import AuditEntry
from klasse.imports.models import ImportRun
from tests.conftest import client_for, template_csv
from tests.imports.cli import run_import_command
from tests.imports.wizard_helpers import importeer, mapped

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# From 13:18:50 in Amsterdam (winter time, UTC+1), each reading of the clock 61 s later: the
# import starts in one minute and finishes in a later one.
START = datetime(2026, 11, 29, 13, 18, 50, tzinfo=AMSTERDAM)
ROWS = ("Kind;;Anna;anna;geheim-wachtwoord-1;;1A;havo 1;;", "Kind;;Bo;bo;;bo@thuis.nl;1A;havo 1;;")


@pytest.fixture
def clock(monkeypatch):
    ticks = count()
    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(seconds=61 * next(ticks)))


def shown(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def assert_one_story(alice, run: ImportRun, report: dict) -> None:
    started, finished = shown(run.started_at), shown(run.finished_at)
    assert started.startswith("29-11-2026 ") and started != finished, "one minute"
    both = f"gestart {started} · klaar {finished}"
    client = client_for(alice)
    assert both in client.get(reverse("history:list")).content.decode()
    assert both in client.get(reverse("history:detail", args=[run.pk])).content.decode()
    assert report["started_at"] == run.started_at.astimezone(AMSTERDAM).isoformat("T", "seconds")
    assert report["finished_at"] == run.finished_at.astimezone(AMSTERDAM).isoformat("T", "seconds")
    assert report["started_at"].endswith("+01:00")
    assert run.report["started_at"] == report["started_at"]
    # The school's log and every account's own entries: the finishing moment.
    assert AuditEntry.objects.get(action="import").created_at == run.finished_at
    per_account = AuditEntry.objects.filter(action="import_account")
    assert per_account.count() == 2
    assert set(per_account.values_list("created_at", flat=True)) == {run.finished_at}
    log = client.get(reverse("users:audit")).content.decode()
    assert f"<td>{finished}</td>" in log


def test_a_wizard_import_shows_one_start_and_one_finish_everywhere(alice, clock):
    client = client_for(alice)
    run = mapped(client, template_csv(*ROWS))
    uploaded_at = run.created_at
    importeer(client, run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.started_at > uploaded_at, "the start is the import's, not the upload's"
    result = client.get(reverse("imports:progress", args=[run.pk])).content.decode()
    both = f"gestart {shown(run.started_at)} · klaar {shown(run.finished_at)}"
    assert both in result
    assert_one_story(alice, run, run.report)


def test_a_command_line_import_shows_the_same_moments_in_its_json(alice, clock, capsys, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(template_csv(*ROWS))
    code, out = run_import_command(capsys, str(path), "--school", "school-a", "--add", "--json")
    assert code == 0, out
    report = json.loads(out)
    run = ImportRun.objects.get()
    assert_one_story(alice, run, report)


def test_a_dry_run_has_no_moments(alice, capsys, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(template_csv(*ROWS))
    code, out = run_import_command(
        capsys, str(path), "--school", "school-a", "--add", "--dry-run", "--json"
    )
    assert code == 0
    assert "started_at" not in json.loads(out) and "finished_at" not in json.loads(out)


def test_a_run_recorded_before_started_at_shows_its_upload_as_its_start(alice, school_a):
    run = ImportRun.objects.create(
        school=school_a, file_name="oud.csv", status=ImportRun.Status.DONE
    )
    ImportRun.objects.filter(pk=run.pk).update(finished_at=run.created_at + timedelta(minutes=2))
    run.refresh_from_db()
    html = client_for(alice).get(reverse("history:list")).content.decode()
    assert f"gestart {shown(run.created_at)} · klaar {shown(run.finished_at)}" in html


def test_the_command_lines_text_says_the_same_moments(alice, clock, capsys, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(template_csv(*ROWS))
    code, out = run_import_command(capsys, str(path), "--school", "school-a", "--add")
    assert code == 0, out
    run = ImportRun.objects.get()
    assert f"Gestart {shown(run.started_at)}, klaar {shown(run.finished_at)}." in out
