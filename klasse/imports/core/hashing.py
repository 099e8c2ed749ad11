"""Hash many passwords on every CPU core: Argon2 is slow on purpose, one hash ~24 ms.

The worker processes are started once per process and kept (`spawn` start costs a few
tenths of a second per worker: paid per import, or worse per chunk, it ate a fifth of the
second core's gain on a 400-password import). A task worker that imports all day pays it
once. They hold no database connection and no Django settings, only the hasher's module.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.contrib.auth.hashers import get_hasher

POOL_THRESHOLD = 32  # below this, handing work to other processes costs more than it saves
PROGRESS_EVERY = 25  # hashes between two progress calls (a third of a second on 2 cores)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[int, int] | None = None  # (pid of the owner, workers)


def _encode(job: tuple[str, str, str]) -> str:
    hasher_path, password, salt = job
    module, _, name = hasher_path.rpartition(".")
    return getattr(importlib.import_module(module), name)().encode(password, salt)


def hash_passwords(
    passwords: list[str],
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """The encoded hashes, in order, with the project's preferred hasher; `progress` is
    called with the number done every PROGRESS_EVERY hashes.

    The hasher class and the salts are chosen here, so the worker processes need no Django
    settings; `spawn` keeps them free of the parent's database connections. A pool whose
    worker died (killed, out of memory) is replaced once and the hashing starts again.
    """
    hasher = get_hasher("default")
    path = f"{type(hasher).__module__}.{type(hasher).__qualname__}"
    jobs = [(path, password, hasher.salt()) for password in passwords]
    workers = workers or os.cpu_count() or 1
    if len(jobs) < POOL_THRESHOLD or workers == 1:
        return _collect(map(_encode, jobs), progress)
    # Small chunks: a hash costs far more than sending it, and the last chunk of one core
    # does not keep the other waiting.
    chunksize = max(1, min(8, len(jobs) // (workers * 8)))
    for attempt in range(2):
        pool = _shared_pool(workers)
        try:
            return _collect(pool.map(_encode, jobs, chunksize=chunksize), progress)
        except BrokenProcessPool:
            _discard(pool)
            if attempt:
                raise
    raise AssertionError("unreachable")


def _collect(results, progress: Callable[[int], None] | None) -> list[str]:
    hashed: list[str] = []
    for encoded in results:
        hashed.append(encoded)
        if progress and len(hashed) % PROGRESS_EVERY == 0:
            progress(len(hashed))
    return hashed


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    """This process's pool of `workers` processes, started on first use. A forked child
    (a pre-forking web server) starts its own: the parent's pipes are not its to use."""
    global _pool, _pool_key
    key = (os.getpid(), workers)
    with _lock:
        if _pool is None or _pool_key != key:
            if _pool is not None and _pool_key[0] == key[0]:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _pool_key = key
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool, _pool_key
    with _lock:
        if _pool is pool:
            _pool, _pool_key = None, None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pool() -> None:
    """Stop this process's hashing workers (at exit; tests use it to start afresh)."""
    global _pool, _pool_key
    with _lock:
        pool, owner = _pool, _pool_key
        _pool, _pool_key = None, None
    if pool is not None and owner[0] == os.getpid():
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pool)
