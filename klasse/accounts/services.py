"""Write operations on schools and accounts, named `<entity>_<action>`."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .models import Account, Role, School, normalise_username


def school_create(*, slug: str, name: str, brin: str = "") -> School:
    school = School(slug=slug, name=name, brin=brin)
    school.full_clean()
    school.save()
    return school


def username_is_taken(username: str) -> bool:
    return Account.objects.filter(username__iexact=normalise_username(username)).exists()


@transaction.atomic
def admin_create(
    *, school: School, username: str, password: str, first_name: str = "", last_name: str = ""
) -> Account:
    """A school administrator. Raises ValidationError for a weak password."""
    account = Account(
        school=school,
        username=normalise_username(username),
        first_name=first_name or username,
        last_name=last_name or "",
        role=Role.ADMIN,
    )
    validate_password(password, account)
    account.set_password(password)
    account.save()
    return account
