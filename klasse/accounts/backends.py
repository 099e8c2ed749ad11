from django.contrib.auth.backends import ModelBackend

from .db import same_lower
from .models import Account, normalise_username


class AccountBackend(ModelBackend):
    """Username login, case-insensitive and NFKC-normalised; archived accounts are refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            account = Account.objects.get(
                same_lower("username", normalise_username(username.strip()))
            )
        except Account.DoesNotExist:
            # Hash anyway so that a missing username takes as long as a wrong password.
            Account().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None
