"""The wizard's "Importeer": the background job, its progress and result, a stale plan,
a failure, a second click, and who may see a run at all."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.tasks.signals import task_enqueued
from django.urls import reverse

from klasse.accounts.models import Account, Programme
from klasse.imports.execution import ProgressWriter, run_execute
from klasse.imports.models import ImportRun
from tests.conftest import client_for, make_account
from tests.imports.wizard_helpers import MAGISTER, importeer, mapped, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice):
    return client_for(alice)


@pytest.fixture
def run(admin) -> ImportRun:
    return mapped(admin, MAGISTER.read_bytes(), "magister.csv", Profiel="programme")


def test_importeer_creates_the_accounts_marks_the_run_done_and_deletes_the_file(admin, run):
    response = importeer(admin, run)
    assert response["Location"] == reverse("imports:progress", args=[run.pk])
    run.refresh_from_db()
    assert run.status == "done" and run.finished_at is not None
    assert run.counts["add"] == 4 and run.counts["error"] == 1
    assert run.progress == run.total > 0
    assert run.report["problems"][0]["code"] == "unknown_programme"
    assert len(run.changes["added"]) == 4 and run.actions == ["add", "send_emails"]
    assert stored_files() == []
    zoe = Account.objects.get(username="zoe.jansen")
    assert (zoe.first_name, zoe.school_class.name, zoe.external_id) == ("Zoë", "3HB", "001234")
    assert not Account.objects.filter(username="anna.smit").exists()


def test_the_result_shows_the_counts_the_problems_and_sluiten_to_overzichten(
    admin, run, django_capture_on_commit_callbacks
):
    # (The password e-mails go after the commit; the result asks again until they went.)
    with django_capture_on_commit_callbacks(execute=True):
        response = importeer(admin, run)
    page = admin.get(response["Location"]).content.decode()
    assert "De import is klaar." in page and "<strong>4</strong> nieuw" in page
    assert "de opleiding &#x27;havo 9&#x27; staat niet in de lijst" in page
    assert f'href="{reverse("overview")}">Sluiten</a>' in page
    assert "hx-trigger" not in page  # finished: nothing polls any more


def test_the_progress_fragment_polls_while_the_job_runs(admin, run):
    ImportRun.objects.filter(pk=run.pk).update(status="running", progress=3, total=12)
    page = admin.get(reverse("imports:progress", args=[run.pk])).content.decode()
    url = reverse("imports:progress_status", args=[run.pk])
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page
    assert '<progress value="3" max="12"' in page and "3 van 12 (25%)" in page
    fragment = admin.get(url).content.decode()
    assert fragment.lstrip().startswith('<section id="voortgang"') and "<html" not in fragment
    ImportRun.objects.filter(pk=run.pk).update(status="done", progress=12, counts={"add": 4})
    fragment = admin.get(url).content.decode()
    assert "hx-trigger" not in fragment and "Sluiten" in fragment


def test_progress_is_written_now_and_then_never_per_row(run, django_assert_num_queries):
    writer = ProgressWriter(run.pk, 10_000, interval=60)
    with django_assert_num_queries(1):  # the last call only
        for done in range(10_001):
            writer(done, 10_000)
    run.refresh_from_db()
    assert (run.progress, run.total) == (10_000, 10_000)


def test_a_plan_that_changed_since_the_preview_is_not_imported_but_shown_again(
    admin, run, school_a
):
    seen = admin.get(reverse("imports:preview", args=[run.pk])).context["form"].initial
    make_account(school_a, "zoe.jansen", first_name="Zoë", last_name="Jansen")
    response = importeer(admin, run, fingerprint=seen["fingerprint"])
    assert response["Location"] == reverse("imports:preview", args=[run.pk])
    run.refresh_from_db()
    assert run.status == "planned" and Account.objects.filter(role="student").count() == 1
    page = admin.get(response["Location"])
    assert "zijn veranderd sinds je het voorbeeld bekeek" in page.content.decode()
    assert page.context["plan"].counts["add"] == 3


def test_a_run_that_went_stale_in_the_queue_keeps_its_file_and_shows_the_new_preview(
    admin, run, school_a
):
    ImportRun.objects.filter(pk=run.pk).update(status="queued", fingerprint="not-the-same")
    assert run_execute(run_id=str(run.pk)) == "stale"
    run.refresh_from_db()
    assert run.status == "stale" and stored_files() == [run.pk]
    assert not Account.objects.filter(role="student").exists()
    status = admin.get(reverse("imports:progress_status", args=[run.pk]))
    assert status["HX-Redirect"] == reverse("imports:preview", args=[run.pk])
    response = admin.get(reverse("imports:progress", args=[run.pk]), follow=True)
    assert "zijn veranderd sinds je het voorbeeld bekeek" in response.content.decode()
    assert importeer(admin, run).status_code == 302
    run.refresh_from_db()
    assert run.status == "done" and Account.objects.filter(role="student").count() == 4


def test_a_failure_inside_the_import_changes_nothing_and_deletes_the_file(admin, run, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # After the accounts are inserted, inside the transaction: all of it must roll back.
    monkeypatch.setattr("klasse.imports.core.applying._link_teachers", broken)
    importeer(admin, run)
    run.refresh_from_db()
    assert run.status == "failed" and "er is niets gewijzigd" in run.error
    assert not Account.objects.filter(role="student").exists()
    assert stored_files() == []
    page = admin.get(reverse("imports:progress", args=[run.pk])).content.decode()
    assert "De import is mislukt" in page and "Opnieuw beginnen" in page


def test_the_same_run_submitted_twice_imports_once(admin, run):
    enqueued = []

    def count(sender, task_result, **kwargs):
        enqueued.append(task_result.args)

    task_enqueued.connect(count)
    first = importeer(admin, run, fingerprint="x" * 32)  # not the plan seen: refused
    assert first["Location"] == reverse("imports:preview", args=[run.pk])
    seen = admin.get(reverse("imports:preview", args=[run.pk])).context["form"].initial
    for _click in range(2):
        response = admin.post(reverse("imports:confirm", args=[run.pk]), seen)
        assert response["Location"] == reverse("imports:progress", args=[run.pk])
    task_enqueued.disconnect(count)
    assert enqueued == [[str(run.pk)]]
    assert Account.objects.filter(role="student").count() == 4
    assert ImportRun.objects.filter(status="done").count() == 1


def test_the_same_file_already_importing_shows_that_import(admin, run):
    other = mapped(admin, MAGISTER.read_bytes(), "magister.csv", Profiel="programme")
    ImportRun.objects.filter(pk=run.pk).update(status="running")
    response = importeer(admin, other)
    assert response["Location"] == reverse("imports:progress", args=[run.pk])
    other.refresh_from_db()
    assert other.status == "planned" and not Account.objects.filter(role="student").exists()


def test_the_same_file_uploaded_again_after_the_import_changes_nothing(admin, run):
    importeer(admin, run)
    again = mapped(admin, MAGISTER.read_bytes(), "magister.csv", update=True)
    plan = admin.get(reverse("imports:preview", args=[again.pk])).context["plan"]
    assert plan.counts["add"] == 0 and plan.counts["unchanged"] == 4


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("mapping", "get"),
        ("mapping", "post"),
        ("preview", "get"),
        ("fixup_csv", "get"),
        ("fixup_xlsx", "get"),
        ("confirm", "post"),
        ("cancel", "post"),
        ("progress", "get"),
        ("progress_status", "get"),
    ],
)
def test_another_schools_administrator_gets_404_on_every_run_url(run, bob, tom, name, method):
    url = reverse(f"imports:{name}", args=[run.pk])
    assert getattr(client_for(bob), method)(url).status_code == 404
    assert getattr(client_for(tom), method)(url).status_code == 403
    assert ImportRun.objects.filter(pk=run.pk, status="planned").exists()


def test_a_command_line_run_is_not_a_wizard_run(admin, school_a):
    cli = ImportRun.objects.create(school=school_a, source="cli", file_name="x.csv")
    assert admin.get(reverse("imports:progress", args=[cli.pk])).status_code == 404


@pytest.fixture
def catalogue(transactional_db):
    """The flush after a transactional test empties the catalogue a migration loads (and a
    serialized rollback cannot restore it once the browser tests' event loop runs)."""
    if not Programme.objects.exists():
        migration = importlib.import_module("klasse.accounts.migrations.0002_programme_catalogue")
        migration.load_catalogue(django_apps, None)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_import(settings, catalogue, alice):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = client_for(alice)
    run = mapped(admin, MAGISTER.read_bytes(), Profiel="programme")
    importeer(admin, run)
    run.refresh_from_db()
    assert run.status == "queued" and not Account.objects.filter(role="student").exists()
    page = admin.get(reverse("imports:progress", args=[run.pk])).content.decode()
    assert "De import staat klaar en begint zo." in page
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.status == "done" and Account.objects.filter(role="student").count() == 4


def test_an_import_whose_worker_died_is_marked_failed_and_frees_its_file(school_a, alice):
    from datetime import timedelta

    from django.utils import timezone

    from klasse.imports.models import ImportRun
    from klasse.imports.runs import runs_fail_interrupted

    long_ago = timezone.now() - timedelta(minutes=5)
    dead = ImportRun.objects.create(
        school=school_a,
        file_name="a.csv",
        file_sha256="x" * 64,
        status="running",
        heartbeat_at=long_ago,
    )
    alive = ImportRun.objects.create(
        school=school_a,
        file_name="b.csv",
        file_sha256="y" * 64,
        status="running",
        heartbeat_at=timezone.now(),
    )
    response = client_for(alice).get(reverse("imports:progress", args=[dead.pk]))
    dead.refresh_from_db()
    assert response.status_code == 200 and dead.status == "failed"
    assert "onderbroken" in dead.error and "niets gewijzigd" in dead.error
    assert runs_fail_interrupted() == 0
    alive.refresh_from_db()
    assert alive.status == "running"
