"""An export imported back with --update changes nothing: the yearly file is safe to reuse."""

import io

import pytest

from klasse.accounts.models import Account
from klasse.exports.writers import export_rows, write_csv, write_xlsx
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from tests.conftest import template_csv

pytestmark = pytest.mark.django_db
SCHOOL_FILE = template_csv(
    "Berg;van der;Zoë;zoe.berg;geheim-wachtwoord-1;;3HB;havo 3;;001234",
    '=HYPERLINK("x");;+31;plus31;;p@example.nl;3HB;havo 3;;-5',
    "Çelik;;Daniëlle;d.celik;;d@example.nl;3HB,4VA;;docent;",
    "Yılmaz;;Ünal;unal;;u@example.nl;4VA;vwo 4;leerling;@007",
)


def snapshot():
    return list(
        Account.objects.order_by("username").values_list(
            "username",
            "first_name",
            "infix",
            "last_name",
            "email",
            "role",
            "external_id",
            "school_class__name",
            "programme__code",
            "password",
            "updated_at",
        )
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_with_update_changes_nothing(school_a, fmt):
    run_import(SCHOOL_FILE, "school.csv", school=school_a, actions=Actions(add=True))
    before = snapshot()
    out = io.BytesIO()
    (write_csv if fmt == "csv" else write_xlsx)(
        export_rows(school=school_a, include_archived=False), out
    )
    everything = Actions(add=True, update=True, archive=True, overwrite_passwords=True)
    report, _ = run_import(out.getvalue(), f"export.{fmt}", school=school_a, actions=everything)
    assert report["counts"] == {
        "add": 0,
        "update": 0,
        "unchanged": 4,
        "archive": 0,
        "error": 0,
        "skipped": 0,
    }
    assert [p["code"] for p in report["problems"]] == []
    assert snapshot() == before
