"""Write operations of the imports app: recording runs in the history."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from klasse.accounts.audit import audit_import
from klasse.accounts.models import Account, School

from .core.applying import AppliedChanges
from .followups import run_emails_mailer
from .models import ImportRun


def import_run_record_cli(
    *, school: School, file_name: str, data: bytes, actions: list[str], actor: Account | None = None
):
    """A `record` callback for run_import that stores a finished command-line import. The
    run it stored is `record.run` afterwards (None before); pass `record.mail` as
    run_import's `mail` to send the e-mails by the run's own task, which counts them."""

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
            status=ImportRun.Status.DONE,
            counts=report["counts"],
            report=report,
            changes=changes.as_dict(),
            finished_at=timezone.now(),
        )
        audit_import(
            school_id=school.pk,
            actor=actor,
            run_id=run.pk,
            file_name=run.file_name,
            source=run.source,
            actions=actions,
            counts=run.counts,
        )
        record.run = run

    def mail(emailed: list[int]) -> None:  # after the commit: `record.run` is set
        run_emails_mailer(record.run.pk)(emailed)

    record.run = None
    record.mail = mail
    return record
