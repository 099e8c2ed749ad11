"""The tokens of the e-mailed links to choose a password."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.dispatch import Signal

# Sent by the page of a password link whose account no longer exists, with `account_id`.
# A receiver that knows why (the imports: an undo removed it) returns the name of the
# account's school; the page then says so instead of calling the link merely invalid.
account_gone = Signal()


class PasswordLinkTokens(PasswordResetTokenGenerator):
    """Django's password reset tokens (void once the password or the last login changes,
    or after PASSWORD_RESET_TIMEOUT), also void for an archived account and, through the
    archive counter, for good once the account has been archived after the link was made."""

    def _make_hash_value(self, user, timestamp) -> str:
        value = super()._make_hash_value(user, timestamp)
        # Unarchived accounts hash as before, so links already sent keep working.
        return f"{value}:{user.times_archived}" if user.times_archived else value

    def check_token(self, user, token) -> bool:
        if user is not None and user.archived_at is not None:
            return False
        return super().check_token(user, token)


password_link_tokens = PasswordLinkTokens()
