"""Which accounts an export holds, and their rows, read from the database in chunks."""

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q, QuerySet

from klasse.accounts.models import Account, ClassKind, Role, School, SchoolClass

from .columns import values_row

CHUNK_SIZE = 2000
# The columns `columns.values_row` expects, in its order; class and programme joined in.
_FIELDS = (
    "pk",
    "role",
    "last_name",
    "infix",
    "first_name",
    "username",
    "email",
    "school_class__name",
    "programme__code",
    "external_id",
    "eck_id",
)


def export_accounts(
    *, school: School, include_archived: bool, school_class: SchoolClass | None = None
) -> QuerySet[Account]:
    """The school's students and teachers (never administrators), by last name; with a
    class, its students and its teachers."""
    accounts = Account.objects.filter(school=school, role__in=[Role.STUDENT, Role.TEACHER])
    if not include_archived:
        accounts = accounts.filter(archived_at__isnull=True)
    if school_class is not None:
        if school_class.school_id != school.pk:
            raise ValueError("De klas hoort niet bij deze school.")
        accounts = accounts.filter(
            Q(school_class=school_class) | Q(pk__in=school_class.teachers.values("pk"))
        )
    return accounts.order_by("last_name", "first_name", "username")


def export_rows(
    *, school: School, include_archived: bool, school_class: SchoolClass | None = None
) -> Iterator[list[str]]:
    """The rows of `export_accounts`, as the import file's columns.

    Three queries in all, whatever the size of the school, all run at the first row (so a
    stream can send its header before): the classes and groups each teacher of the school
    teaches, the groups each pupil is in, then the accounts as plain tuples with their
    class and programme joined in, read `CHUNK_SIZE` at a time. Tuples, not model
    instances: 200,000 instances cost seconds.
    """
    accounts = export_accounts(
        school=school, include_archived=include_archived, school_class=school_class
    )
    teaching: dict[int, list[str]] = defaultdict(list)
    groups: dict[int, list[str]] = defaultdict(list)  # a pupil's groups, a teacher's taught
    pairs = SchoolClass.teachers.through.objects.filter(schoolclass__school=school)
    for account_id, name, kind in pairs.values_list(
        "account_id", "schoolclass__name", "schoolclass__kind"
    ):
        (groups if kind == ClassKind.GROUP else teaching)[account_id].append(name)
    members = Account.groups.through.objects.filter(schoolclass__school=school)
    for account_id, name in members.values_list("account_id", "schoolclass__name"):
        groups[account_id].append(name)
    for values in accounts.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        yield values_row(values, teaching.get(values[0], ()), groups.get(values[0], ()))
