from django.contrib.auth.hashers import Argon2PasswordHasher


class KlasseArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1).

    Chosen from `bench/hashing.py`: about 24 ms a hash on one core here, so a 2,000-row import
    with passwords hashes in under a minute on two cores, where Django's default
    (m=100 MiB, p=8) is several times slower without a gain that OWASP asks for.
    Existing hashes with other parameters are upgraded on the next login.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
