"""Uploaded import files, kept under `settings.UPLOAD_DIR` only while the wizard needs them.

A stored file is named by a random uuid, never by the name the upload came with: that name
is chosen by whoever uploads, and is shown, not trusted.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from django.conf import settings

_STORED_NAME = re.compile(r"[0-9a-f]{32}")


class UploadGone(Exception):
    """The stored file is no longer there (the import finished, failed or was abandoned)."""


def upload_store(data: bytes) -> str:
    """Write `data` under a new generated name, readable by this process only; the name."""
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return name


def upload_read(name: str) -> bytes:
    try:
        return _path(name).read_bytes()
    except (FileNotFoundError, ValueError):
        raise UploadGone(name) from None


def upload_delete(name: str) -> None:
    if name and _STORED_NAME.fullmatch(name):
        _path(name).unlink(missing_ok=True)


def _path(name: str) -> Path:
    # Only names made by upload_store: a stored value can never point outside the folder.
    if not _STORED_NAME.fullmatch(name or ""):
        raise ValueError(f"not a stored upload name: {name!r}")
    return Path(settings.UPLOAD_DIR) / name
