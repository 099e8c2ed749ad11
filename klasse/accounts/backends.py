from django.contrib.auth.backends import ModelBackend

from .db import fold_case, same_lower
from .models import Account, normalise_username


class AccountBackend(ModelBackend):
    """Username login, case-insensitive and NFKC-normalised; archived accounts are refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            account = Account.objects.get(same_lower("username", _typed(username)))
        except Account.DoesNotExist:
            # Hash anyway so that a missing username takes as long as a wrong password.
            Account().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None


def throttled_username(request, credentials=None) -> str | None:
    """The username django-axes counts failed logins for (AXES_USERNAME_CALLABLE): the one
    the login looks up, folded as the database compares it, so that `Émile`, `ÉMILE` and
    ` émile ` share one limit instead of five attempts each."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    if not isinstance(username, str):
        return None
    return fold_case(_typed(username))


def _typed(username: str) -> str:
    """The username as the login looks it up: without surrounding spaces, NFKC."""
    return normalise_username(username.strip())
