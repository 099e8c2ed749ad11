"""Uploaded import files, kept in the database (`UploadedFile`) only while the wizard needs
them, with the table read from them: web processes and workers may run on different
machines, and a local folder is not shared between them.

What one school may keep here at once is capped (`KLASSE_MAX_PENDING_UPLOADS` files,
`KLASSE_MAX_PENDING_BYTES` bytes), so that one administrator's files cannot fill the
database or the workers' queue for every school.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum

from klasse.accounts.models import School

from .core.reading import Table
from .core.stored_table import table_dump, table_load
from .models import ImportRun, UploadedFile


class UploadGone(Exception):
    """The stored file is no longer there (the import finished, failed or was abandoned)."""


class NoRoom(Exception):
    """The school has as many files waiting as it may have; `message` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def uploads_check_room(*, school: School, size: int) -> None:
    """Raise NoRoom when one more file of `size` bytes would pass the school's caps: the
    files of its imports that are not done, stopped or abandoned (24 hours)."""
    waiting = UploadedFile.objects.filter(school=school)
    count = waiting.count()
    stored = waiting.aggregate(total=Sum("size"))["total"] or 0
    if count >= settings.KLASSE_MAX_PENDING_UPLOADS:
        raise NoRoom(
            f"Je school heeft al {count} imports die nog niet klaar zijn; meer dan "
            f"{settings.KLASSE_MAX_PENDING_UPLOADS} tegelijk kan niet. Maak een eerdere "
            "import af of stop hem (knop Stoppen), en kies dit bestand daarna opnieuw."
        )
    if stored + size > settings.KLASSE_MAX_PENDING_BYTES:
        raise NoRoom(
            f"De bestanden van de imports van je school die nog niet klaar zijn, zijn samen "
            f"groter dan {settings.KLASSE_MAX_PENDING_BYTES / 1048576:.0f} MB. Maak een "
            "eerdere import af of stop hem (knop Stoppen), en kies dit bestand daarna opnieuw."
        )


def upload_store(run: ImportRun, data: bytes) -> None:
    UploadedFile.objects.create(run=run, school_id=run.school_id, size=len(data), data=data)


def upload_data(run: ImportRun) -> bytes:
    """The uploaded bytes; UploadGone when they were deleted."""
    found = UploadedFile.objects.filter(run_id=run.pk).values_list("data", flat=True).first()
    if found is None:
        raise UploadGone(run.pk)
    return bytes(found)


def upload_table(run: ImportRun) -> Table:
    """The table read from the upload; UploadGone when it was deleted or not read yet."""
    found = UploadedFile.objects.filter(run_id=run.pk).values_list("table", flat=True).first()
    if found is None:
        raise UploadGone(run.pk)
    return table_load(bytes(found))


def upload_save_table(run: ImportRun, table: Table) -> None:
    UploadedFile.objects.filter(run_id=run.pk).update(table=table_dump(table))


def upload_exists(run: ImportRun) -> bool:
    return UploadedFile.objects.filter(run_id=run.pk).exists()


def upload_delete(run: ImportRun) -> None:
    UploadedFile.objects.filter(run_id=run.pk).delete()
