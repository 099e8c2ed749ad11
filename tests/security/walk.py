"""The URL walker the security tests share: every pattern of klasse.urls, discovered
through every include, with arguments that name objects of school A (see `world`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from klasse.accounts.models import Account
from klasse.imports.models import ImportRun
from tests.security.conftest import A_MARKERS

# Pages anyone may open: logging in, choosing a password from the e-mailed link, language.
PUBLIC = {"login", "logout", "password_choose", "password_chosen", "set_language"}
PERSONAS = ["anonymous", "alice", "tom", "tess", "sara", "bob"]
# Pages a teacher uses in the classes he or she teaches (issue 15, item 7): Tom, who teaches
# the classes the walk names, reaches them; Tess, a teacher of another class of school A,
# gets 404 for each, as if they did not exist.
TEACHER_PAGES = {"class_detail", "class_sheet", "student_password"}
# What only a teacher of school A's walked classes may see of them.
CLASS_TRACES = ("Klas-Zeldzaam", "Zeldzaamheid", "Onvindbaar", "geheim-kind", "Sara van der Berg")
# Pages of one role only: the others get 403 (the page exists, not for them).
ONE_ROLE_ONLY = {"student_home", "leerplan_api"}
# Words in a URL (its name, route or argument) that say which object an integer names.
OBJECT_HINTS = [
    ("klas", "class_a"),
    ("class", "class_a"),
    ("gebruiker", "secret"),
    ("account", "secret"),
    ("leerling", "secret"),
    ("user", "secret"),
    ("geschiedenis", "run_a"),
    ("history", "run_a"),
    ("import", "run_a"),
    ("run", "run_a"),
]
A_TRACES = (*A_MARKERS, "Alice Admin", "Tom Teacher", "alice", "geheim-kind")


@dataclass
class Endpoint:
    name: str  # namespaced URL name, or the route when it has none
    route: str  # the whole route, e.g. "overzichten/klas/<int:pk>/"
    converters: dict
    callback: object

    @property
    def plain_name(self) -> str:
        return self.name.rpartition(":")[2]


def endpoints() -> list[Endpoint]:
    found: list[Endpoint] = []

    def walk(patterns, prefix: str, namespace: str, converters: dict) -> None:
        for entry in patterns:
            route = prefix + _route_of(entry.pattern, prefix)
            merged = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                space = entry.namespace or ""
                walk(
                    entry.url_patterns,
                    route,
                    f"{namespace}{space}:" if space else namespace,
                    merged,
                )
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else route
                found.append(Endpoint(name, route, merged, entry.callback))

    walk(get_resolver().url_patterns, "", "", {})
    return found


def _route_of(pattern, prefix: str) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex
        if regex.groups:
            pytest.fail(
                f"URL pattern {prefix}{regex.pattern!r} uses a regular expression with groups; "
                "teach tests/security/test_access_walk.py to fill it (or use path())."
            )
        return regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    pytest.fail(f"URL pattern of unknown kind {pattern!r} under {prefix!r}")


def sample_value(endpoint: Endpoint, kwarg: str, converter, world: dict) -> str:
    """A value for `kwarg` that names an object of school A; fail clearly when unknown."""
    if kwarg == "uidb64":
        return urlsafe_base64_encode(force_bytes(world["sara"].pk))
    if kwarg == "token":
        return default_token_generator.make_token(world["sara"])
    if isinstance(converter, UUIDConverter) and endpoint.name.startswith("users:export"):
        return converter.to_url(world["export_a"].pk)  # an export made in the background
    if isinstance(converter, UUIDConverter) and endpoint.name.startswith("imports:fixup_file"):
        return converter.to_url(world["fixup_a"].pk)  # an import's fix-up file, made too
    if isinstance(converter, UUIDConverter):
        # The wizard's pages name a run underway; the others (history) a finished one.
        wizard = endpoint.name.startswith("imports:") and world["wizard_run"]
        return converter.to_url((world["wizard_run"] if wizard else world["run_a"]).pk)
    if isinstance(converter, IntConverter):
        # The path segment before the argument names it best ("klas/<int:pk>/"), then the
        # argument's own name, then the URL's name and route.
        before = endpoint.route.split(f":{kwarg}>")[0].rsplit("<", 1)[0].rstrip("/")
        for words in (before.rpartition("/")[2], kwarg, f"{endpoint.name} {endpoint.route}"):
            for hint, key in OBJECT_HINTS:
                if hint in words.lower() and isinstance(world[key].pk, int):
                    return converter.to_url(world[key].pk)
    if kwarg == "vak":  # a subject: the one school A holds a licence for (B holds another)
        return converter.to_url(world["subject_a"].slug)
    if isinstance(converter, (SlugConverter, StringConverter)) and kwarg in ("slug", "school"):
        return converter.to_url(world["school_a"].slug)
    pytest.fail(
        f"The access walk cannot fill <{type(converter).__name__}:{kwarg}> of URL "
        f"'{endpoint.name}' ({endpoint.route}). Teach sample_value() / OBJECT_HINTS in "
        "tests/security/test_access_walk.py which object of school A it names, so that the "
        "new page is walked as every persona."
    )


def url_for(endpoint: Endpoint, world: dict) -> str:
    def fill(match: re.Match) -> str:
        kwarg = match.group("name")
        return sample_value(endpoint, kwarg, endpoint.converters[kwarg], world)

    return "/" + re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>", fill, endpoint.route)


def names_an_object(endpoint: Endpoint) -> bool:
    return bool(set(endpoint.converters) - {"uidb64", "token"})


def names_a_class_object(endpoint: Endpoint) -> bool:
    """Whether the URL names something of one class (a class, a student, an import...),
    not only a subject of the school (`vak`), which every teacher of the school opens."""
    return bool(set(endpoint.converters) - {"uidb64", "token", "vak"})


def snapshot() -> tuple:
    """Row counts of every table (sessions aside: a visit may start one), the newest change
    to an account, and every import run's status."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table == "django_session":
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    newest = Account.objects.aggregate(newest=Max("updated_at"))["newest"]
    runs = sorted((str(pk), status) for pk, status in ImportRun.objects.values_list("pk", "status"))
    return counts, newest, runs
