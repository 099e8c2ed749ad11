"""Hash many passwords on every CPU core: Argon2 is slow on purpose, one hash ~24 ms."""

from __future__ import annotations

import importlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from django.contrib.auth.hashers import get_hasher

POOL_THRESHOLD = 32  # below this, starting processes costs more than it saves


def _encode(job: tuple[str, str, str]) -> str:
    hasher_path, password, salt = job
    module, _, name = hasher_path.rpartition(".")
    return getattr(importlib.import_module(module), name)().encode(password, salt)


def hash_passwords(passwords: list[str], *, workers: int | None = None) -> list[str]:
    """The encoded hashes, in order, with the project's preferred hasher.

    The hasher class and the salts are chosen here, so the worker processes need no Django
    settings; `spawn` keeps them free of the parent's database connections.
    """
    hasher = get_hasher("default")
    path = f"{type(hasher).__module__}.{type(hasher).__qualname__}"
    jobs = [(path, password, hasher.salt()) for password in passwords]
    workers = workers or os.cpu_count() or 1
    if len(jobs) < POOL_THRESHOLD or workers == 1:
        return [_encode(job) for job in jobs]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_encode, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
