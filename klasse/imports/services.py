"""Write operations of the imports app: recording runs in the history."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.utils import timezone

from klasse.accounts.audit import audit_import
from klasse.accounts.models import Account, School

from .account_log import log_import_accounts
from .core.applying import AppliedChanges
from .followups import run_emails_mailer
from .models import ImportRun


def report_moment(moment: datetime) -> str:
    """A moment as the JSON report gives it: ISO 8601 to the second, in the school's time
    (settings.TIME_ZONE, Europe/Amsterdam) with its offset: `2026-11-29T13:18:59+01:00`.
    The pages show the same moment to the minute (`d-m-Y H:i`, cut off, never rounded)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.isoformat(timespec="seconds")


def import_run_finish(run: ImportRun, report: dict, changes: AppliedChanges) -> None:
    """Inside the import's transaction: the run's finishing moment is the one moment of its
    result, its log entries (the school's and each account's) and its report's
    `started_at`/`finished_at`, which are added to `report` in place."""
    finished = timezone.now()
    report["started_at"] = report_moment(run.started_at or finished)
    report["finished_at"] = report_moment(finished)
    recorded = changes.as_dict()
    done = {
        "status": ImportRun.Status.DONE,
        "counts": report["counts"],
        "report": report,
        "changes": recorded,
        "started_at": run.started_at or finished,
        "finished_at": finished,
    }
    ImportRun.objects.filter(pk=run.pk).update(**done)
    for name, value in done.items():  # the caller's `run` tells the same as the database
        setattr(run, name, value)
    audit_import(
        school_id=run.school_id,
        actor=run.actor,
        run_id=run.pk,
        file_name=run.file_name,
        source=run.source,
        actions=run.actions,
        counts=report["counts"],
        at=finished,
    )
    log_import_accounts(
        school_id=run.school_id,
        run_id=run.pk,
        file_name=run.file_name,
        actor=run.actor,
        changes=recorded,
        at=finished,
    )


def import_run_record_cli(
    *, school: School, file_name: str, data: bytes, actions: list[str], actor: Account | None = None
):
    """A `record` callback for run_import that stores a finished command-line import; it
    started when this was called (before the file is read). The run it stored is
    `record.run` afterwards (None before); pass `record.mail` as run_import's `mail` to send
    the e-mails by the run's own task, which counts them."""
    started = timezone.now()

    def record(report: dict, changes: AppliedChanges) -> None:
        run = ImportRun.objects.create(
            school=school,
            actor=actor,
            source="cli",
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_info=report["file"],
            mapping=report["mapping"],
            actions=actions,
            status=ImportRun.Status.RUNNING,
            started_at=started,
        )
        import_run_finish(run, report, changes)
        record.run = run

    def mail(emailed: list[int]) -> None:  # after the commit: `record.run` is set
        run_emails_mailer(record.run.pk)(emailed)

    record.run = None
    record.mail = mail
    return record
