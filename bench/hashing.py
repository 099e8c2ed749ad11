"""How long one password hash takes, and how hashing scales over cores.

Run: .venv/bin/python bench/hashing.py   (about half a minute)

Every import row with a password costs one hash, so the hasher's parameters set how long a
school's yearly import takes. Measures argon2id with OWASP's five equivalent parameter sets,
Django's default Argon2 and Django's PBKDF2, then the throughput of Klasse's choice
(m=19 MiB, t=2, p=1) on one process against all cores.
"""

import hashlib
import os
import platform
import statistics
import time
from importlib.metadata import version
from multiprocessing import Pool

from argon2.low_level import Type, hash_secret

PASSWORD = b"correct-horse-battery"
HASHES_PER_SETTING = 10
THROUGHPUT_HASHES_PER_CORE = 24
KLASSE = (19456, 2, 1)  # memory KiB, time cost, parallelism
# OWASP Password Storage Cheat Sheet: equally strong argon2id settings, m=47 MiB to 7 MiB.
OWASP = [(47104, 1, 1), KLASSE, (12288, 3, 1), (9216, 4, 1), (7168, 5, 1)]
DJANGO_ARGON2 = (102400, 2, 8)  # django.contrib.auth.hashers.Argon2PasswordHasher


def argon2id(params: tuple[int, int, int]) -> bytes:
    memory_cost, time_cost, parallelism = params
    return hash_secret(
        PASSWORD,
        os.urandom(16),
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
    )


def pbkdf2(iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", PASSWORD, os.urandom(16), iterations)


def ms_per_hash(hash_once, argument) -> float:
    hash_once(argument)  # warm-up: first allocation and page faults
    timings = []
    for _ in range(HASHES_PER_SETTING):
        start = time.perf_counter()
        hash_once(argument)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def hashes_per_second(processes: int, jobs: int) -> float:
    with Pool(processes) as pool:
        pool.map(argon2id, [KLASSE] * processes)  # start the workers before timing
        start = time.perf_counter()
        pool.map(argon2id, [KLASSE] * jobs, chunksize=1)
        return jobs / (time.perf_counter() - start)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    # Imported here: the pool's workers need argon2 only, not Django.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    cores = os.cpu_count() or 1
    print(
        f"{cpu_model()}, {cores} cores, "
        f"Python {platform.python_version()}, argon2-cffi {version('argon2-cffi')}, "
        f"Django {version('django')}"
    )
    print(f"median of {HASHES_PER_SETTING} hashes, ms per hash")
    for params in OWASP:
        label = "argon2id m={} KiB t={} p={}".format(*params)
        mark = "   <- Klasse" if params == KLASSE else ""
        print(f"  {label:<34} {ms_per_hash(argon2id, params):8.1f}{mark}")
    label = "argon2id m={} KiB t={} p={}".format(*DJANGO_ARGON2)
    print(f"  {label:<34} {ms_per_hash(argon2id, DJANGO_ARGON2):8.1f}   Django default Argon2")
    iterations = PBKDF2PasswordHasher.iterations
    label = f"pbkdf2_sha256 {iterations:,} iterations"
    print(f"  {label:<34} {ms_per_hash(pbkdf2, iterations):8.1f}   Django default PBKDF2")

    jobs = THROUGHPUT_HASHES_PER_CORE * cores
    one = hashes_per_second(1, jobs)
    print("throughput, argon2id m={} KiB t={} p={}, {} hashes".format(*KLASSE, jobs))
    print(f"  {'1 process':<14} {one:8.1f} hashes/s")
    if cores > 1:
        every = hashes_per_second(cores, jobs)
        label = f"{cores} processes"
        print(f"  {label:<14} {every:8.1f} hashes/s   ratio {every / one:.2f}x")


if __name__ == "__main__":
    main()
