"""`klasse licence grant|list|revoke`: the operator's way to sell subjects to schools."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from klasse.accounts.models import AuditEntry
from klasse.leerplan.licences import today
from klasse.leerplan.models import Licence
from tests.conftest import client_for, make_account

pytestmark = pytest.mark.django_db


def licence(*args: str) -> str:
    out = io.StringIO()
    call_command("licence", *args, stdout=out)
    return out.getvalue()


def test_grant_gives_a_licence_from_today_and_records_it(school_a, caplog):
    with caplog.at_level("INFO", logger="klasse.audit"):
        out = licence(
            "grant", "--school", "school-a", "--subject", "rekenen", "--until", "2027-07-31"
        )
    assert "klasse licence grant: school-a rekenen" in caplog.text
    got = Licence.objects.get(school=school_a)
    assert (got.subject.slug, got.starts, got.ends, got.max_students) == (
        "rekenen",
        today(),
        dt.date(2027, 7, 31),
        None,
    )
    assert "Licentie gegeven: school-a rekenen" in out
    entry = AuditEntry.objects.get(school=school_a, action="licence")
    assert entry.details["op"] == "grant" and entry.details["ends"] == "2027-07-31"
    assert entry.details["previous"] is None and entry.details["via"] == "klasse licence"


def test_grant_again_changes_the_licence_and_keeps_its_start(school_a):
    licence("grant", "--school", "school-a", "--subject", "nt2", "--from", "2026-08-01",
            "--until", "2027-07-31")  # fmt: skip
    out = licence("grant", "--school", "school-a", "--subject", "nt2", "--until", "2028-07-31",
                  "--students", "120")  # fmt: skip
    got = Licence.objects.get(school=school_a)
    assert (got.starts, got.ends, got.max_students) == (
        dt.date(2026, 8, 1),
        dt.date(2028, 7, 31),
        120,
    )
    assert "Licentie gewijzigd" in out
    latest = AuditEntry.objects.filter(action="licence").first()
    assert latest.details["previous"]["ends"] == "2027-07-31"
    assert latest.details["max_students"] == 120


@pytest.mark.parametrize(
    "args, message",
    [
        (["--school", "nergens", "--subject", "rekenen", "--until", "2027-07-31"],
         "Geen school met de korte naam 'nergens'"),
        (["--school", "school-a", "--subject", "wiskunde", "--until", "2027-07-31"],
         "Geen vak met de korte naam 'wiskunde'. Bekende vakken: nederlands, engels, rekenen, nt2"),
        (["--school", "school-a", "--subject", "rekenen", "--until", "31-07-2027"],
         "--until '31-07-2027' is geen datum. Schrijf de datum als JJJJ-MM-DD"),
        (["--school", "school-a", "--subject", "rekenen", "--until", "2027-07-31",
          "--from", "2027-13-01"], "--from '2027-13-01' is geen datum"),
        (["--school", "school-a", "--subject", "rekenen", "--until", "2026-07-31",
          "--from", "2026-08-01"], "zou eindigen (2026-07-31) vóór ze begint (2026-08-01)"),
        (["--school", "school-a", "--subject", "rekenen", "--until", "2027-07-31",
          "--students", "0"], "moet 1 of meer zijn"),
    ],
)  # fmt: skip
def test_grant_refuses_bad_input_in_dutch_and_changes_nothing(school_a, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        licence("grant", *args)
    assert not Licence.objects.exists()
    assert not AuditEntry.objects.exists()


def test_list_shows_a_table_and_json_with_the_students_counting_against_the_limit(
    school_a, school_b, sara
):
    make_account(school_a, "weg", archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    licence("grant", "--school", "school-a", "--subject", "rekenen", "--until", "2099-07-31",
            "--students", "1")  # fmt: skip
    licence("grant", "--school", "school-b", "--subject", "engels", "--from", "2020-08-01",
            "--until", "2021-07-31")  # fmt: skip
    table = licence("list")
    assert table.splitlines()[0].split() == ["school", "vak", "vanaf", "tot", "en", "met",
                                             "status", "leerlingen"]  # fmt: skip
    assert "school-a  rekenen" in table and "actief" in table and "1 van 1" in table
    assert "school-b  engels" in table and "verlopen" in table
    rows = json.loads(licence("list", "--school", "school-a", "--json"))
    assert rows == [
        {
            "school": "school-a",
            "subject": "rekenen",
            "subject_name": "Rekenen/wiskunde",
            "starts": today().isoformat(),
            "ends": "2099-07-31",
            "status": "active",
            "active": True,
            "max_students": 1,
            "active_students": 1,  # sara; the archived account does not count
        }
    ]


def test_revoke_removes_the_licence_and_records_it(school_a):
    licence("grant", "--school", "school-a", "--subject", "engels", "--until", "2027-07-31")
    out = licence("revoke", "--school", "school-a", "--subject", "engels")
    assert "Licentie ingetrokken: school-a engels" in out
    assert not Licence.objects.exists()
    assert AuditEntry.objects.filter(action="licence").first().details["op"] == "revoke"
    with pytest.raises(CommandError, match="heeft geen licentie voor 'engels'"):
        licence("revoke", "--school", "school-a", "--subject", "engels")


def test_grant_again_keeps_an_omitted_student_limit_and_removes_it_only_when_asked(school_a):
    licence("grant", "--school", "school-a", "--subject", "nt2", "--until", "2027-07-31",
            "--students", "120")  # fmt: skip
    licence("grant", "--school", "SCHOOL-A", "--subject", "NT2",
            "--until", "2028-07-31")  # fmt: skip
    got = Licence.objects.get(school=school_a)
    assert (got.ends, got.max_students) == (dt.date(2028, 7, 31), 120)
    latest = AuditEntry.objects.filter(action="licence").first()
    assert latest.details["changes"] == {"ends": ["2027-07-31", "2028-07-31"]}
    licence("grant", "--school", "school-a", "--subject", "nt2", "--until", "2028-07-31",
            "--no-student-limit")  # fmt: skip
    got.refresh_from_db()
    assert got.max_students is None
    latest = AuditEntry.objects.filter(action="licence").first()
    assert latest.details["changes"] == {"max_students": [120, None]}
    page = client_for(make_account(school_a, "beheer", role="admin")).get(reverse("users:audit"))
    text = page.content.decode()
    assert "leerlingen: 120 → geen grens" in text
    assert "leverancier (opdrachtregel)" in text


def test_a_huge_number_of_students_is_refused_in_dutch_and_changes_nothing(school_a):
    with pytest.raises(CommandError, match=r"hoogstens 1\.000\.000 \(gegeven: 2147483648\)"):
        licence("grant", "--school", "school-a", "--subject", "nt2", "--until", "2027-07-31",
                "--students", "2147483648")  # fmt: skip
    assert not Licence.objects.exists() and not AuditEntry.objects.exists()


def test_the_operator_sees_only_the_dutch_sentence(school_a, capsys):
    out = io.StringIO()
    call_command("licence", "grant", "--school", "school-a", "--subject", "nt2", "--until",
                 "2027-07-31", stdout=out)  # fmt: skip
    assert out.getvalue().startswith("Licentie gegeven")
    captured = capsys.readouterr()
    assert "run by" not in captured.out + captured.err
