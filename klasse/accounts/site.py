"""The address at which people reach this Klasse, for text that leaves a request: the demo's
login hint and the links in e-mails, which the background worker writes."""

from __future__ import annotations

import os

from django.conf import settings

# Addresses that mean "every interface": nobody can browse to them, this machine can.
_ANY_HOST = {"", "0.0.0.0", "::", "[::]"}


def served_url(host: str, port: int) -> str:
    """The base URL (no trailing slash) of a server bound to `host`:`port`, such as
    `http://127.0.0.1:8123`; a wildcard host becomes 127.0.0.1, an IPv6 host is bracketed."""
    if host in _ANY_HOST:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def base_url(*, port: int | None = None) -> str:
    """`KLASSE_BASE_URL` when it is set; otherwise the local address on `port` (when given)
    or the default the settings hold (`klasse serve` passes its own address to its web
    processes and worker in `KLASSE_BASE_URL`). No trailing slash."""
    if port is not None and not os.environ.get("KLASSE_BASE_URL"):
        return served_url("127.0.0.1", port)
    return settings.KLASSE_BASE_URL.rstrip("/")
