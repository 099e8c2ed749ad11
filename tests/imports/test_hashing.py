"""Password hashing over every core: the right hashes, in order, one pool kept."""

import os
import signal

import pytest
from django.contrib.auth.hashers import check_password

from klasse.imports.core import hashing
from klasse.imports.core.hashing import POOL_THRESHOLD, hash_passwords, shutdown_pool


@pytest.fixture
def fresh_pool():
    shutdown_pool()
    yield
    shutdown_pool()


def passwords(count: int) -> list[str]:
    return [f"wachtwoord-{n}-Zoë" for n in range(count)]


def test_hashes_on_one_process_verify_in_order():
    plain = passwords(5)
    encoded = hash_passwords(plain, workers=1)
    assert len(set(encoded)) == 5  # a salt of its own each
    assert all(check_password(p, e) for p, e in zip(plain, encoded, strict=True))
    assert not check_password(plain[0], encoded[1])


def test_hashes_on_two_processes_verify_in_order_and_report_progress(fresh_pool):
    plain = passwords(POOL_THRESHOLD * 2)
    seen: list[int] = []
    encoded = hash_passwords(plain, workers=2, progress=seen.append)
    assert all(check_password(p, e) for p, e in zip(plain, encoded, strict=True))
    assert seen == list(range(hashing.PROGRESS_EVERY, len(plain) + 1, hashing.PROGRESS_EVERY))


def test_the_pool_is_started_once_and_kept_between_imports(fresh_pool):
    hash_passwords(passwords(POOL_THRESHOLD), workers=2)
    pool = hashing._pool
    assert pool is not None
    hash_passwords(passwords(POOL_THRESHOLD), workers=2)
    assert hashing._pool is pool


def test_a_killed_worker_is_replaced_and_the_passwords_still_hashed(fresh_pool):
    hash_passwords(passwords(POOL_THRESHOLD), workers=2)
    pool = hashing._pool
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    plain = passwords(POOL_THRESHOLD)
    encoded = hash_passwords(plain, workers=2)
    assert hashing._pool is not pool
    assert all(check_password(p, e) for p, e in zip(plain, encoded, strict=True))
