"""How Klasse counts failed logins (django-axes' AXES_HANDLER and AXES_CLIENT_IP_CALLABLE).

Failures count for the client that made them, never for everyone:

- a username locks after AXES_FAILURE_LIMIT failures *from one address*: a guesser locks
  only himself, and the owner of the account still logs in from elsewhere;
- an address locks after KLASSE_LOGIN_ADDRESS_FAILURE_LIMIT failures of any usernames,
  which stops one password tried on every username (spraying), at a limit far above what
  a school's students behind one address mistype in a quarter of an hour;
- the address is the client's: behind a proxy in KLASSE_TRUSTED_PROXIES, the hop that
  proxy added to X-Forwarded-For; from anyone else the header is not believed.
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler with Klasse's two limits (AXES_LOCKOUT_PARAMETERS is
    the pair username and address; the address alone is counted here), and a correct
    login that clears only its own failures: its username's from its address. django-axes
    clears every attempt matching any lockout parameter, so a student's login from a
    school's address would wipe the guesses at an administrator from there."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        address_limit = settings.KLASSE_LOGIN_ADDRESS_FAILURE_LIMIT
        if address_limit and _address_failures(request) >= address_limit:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        )
        count, _ = attempts.delete()
        return count


def _address_failures(request: HttpRequest) -> int:
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy; then the last
    address in X-Forwarded-For that is not a trusted proxy (the one the outermost trusted
    proxy saw). Addresses further left were written by the client and prove nothing."""
    address = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while _is_trusted_proxy(address) and forwarded:
        hop = forwarded.pop().strip()
        if _parse(hop) is None:
            break  # not an address that a proxy writes: keep the last one that was
        address = hop
    return address


def _is_trusted_proxy(address: str | None) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(
        parsed in ipaddress.ip_network(proxy, strict=False)
        for proxy in settings.KLASSE_TRUSTED_PROXIES
    )


def _parse(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address or "")
    except ValueError:
        return None
