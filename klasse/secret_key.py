"""The key Klasse signs sessions and password links with, when SECRET_KEY is not set.

A key written in the source is a key anyone can read: with it they sign their own session
cookies and password links. So an installation without SECRET_KEY generates one the first
time it starts and keeps it, readable by its owner only, in KLASSE_VAR_DIR.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Keys that have been published: Klasse's former development key and the placeholder of
# deploy/klasse.env.example. Any Django 'django-insecure-' key is as public as these.
KNOWN_KEYS = frozenset(
    {
        "django-insecure-klasse-development-key-do-not-use-in-production",
        "change-me-to-a-long-random-string",
    }
)


def installation_key(var_dir: Path) -> str:
    """The key kept in `var_dir`, generated on the first start.

    1. A key that is there is read.
    2. Otherwise a new key is written to a private temporary file and hard-linked to its
       name: the link either appears complete or fails because another process won, so
       processes that start at once all end up reading the same key.
    """
    path = var_dir / "secret_key"
    if not path.exists():
        temporary = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(
            f"{path} holds no usable SECRET_KEY; remove it to get a new one."
        )
    return key


def refuse_known_key(key: str) -> None:
    """Stop a start without DEBUG on a key that has been published."""
    if key in KNOWN_KEYS or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is a published example key, so anyone could sign sessions and "
            "password links. Set SECRET_KEY to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), or leave it '
            "unset to have Klasse generate one in KLASSE_VAR_DIR."
        )
