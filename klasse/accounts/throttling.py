"""How Klasse counts failed logins (django-axes' AXES_HANDLER and its callables)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler, except that a correct login clears only its own
    failures: those of its username from its address. django-axes clears every attempt
    that matches any lockout parameter, so a student's login from a school's address
    would wipe the guesses at another school's administrator from that address."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        )
        count, _ = attempts.delete()
        return count
