"""An EDEXML file through the wizard: the summary instead of the mapping, the choices it
remembers, the right school, and nothing of what Klasse does not need kept anywhere."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from klasse.accounts.models import Account, School
from klasse.imports.models import ImportRun, RememberedEdexChoices, UploadedFile
from tests.conftest import client_for
from tests.imports.wizard_helpers import importeer, upload, uploaded

pytestmark = pytest.mark.django_db
HERE = Path(__file__).resolve().parent.parent / "fixtures" / "edexml"
_VOORTGEZET = HERE / "voortgezet.xml"


@pytest.fixture
def admin(alice):
    return client_for(alice)


def _choose(admin, run: ImportRun, **fields):
    """Post the summary step with "Verder": add, plus `fields` (form field names)."""
    data = {"stap": "verder", "add": "on", **fields}
    return admin.post(reverse("imports:mapping", args=[run.pk]), data)


def test_the_summary_replaces_the_mapping_and_shows_what_the_file_holds(admin, school_a):
    run = uploaded(admin, (HERE / "EDEX.XML").read_bytes(), "EDEX.XML")
    assert run.file_info["format"] == "edexml"
    page = admin.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert "Inhoud van het bestand" in page and "Koppel kolommen</h1>" not in page
    assert "2025-2026" in page and "12AB" in page
    assert "deze wordt bij de import bewaard" in page  # school_a has no BRIN yet
    assert 'id="andere-school"' not in page
    for group in ("1-2a", "1-2b", "8"):
        assert f'<th scope="row">{group}</th>' in page
    assert "Plusklas" in page
    assert re.search(r"Leerkrachten</dt><dd>8</dd>", page)


def test_an_edexml_import_through_the_wizard_stores_the_brin_and_keeps_choices(admin, school_a):
    data = re.sub(rb"<gebruikersnaam>[^<]*</gebruikersnaam>", b"", _VOORTGEZET.read_bytes())
    run = uploaded(admin, data, "EDEX.XML")
    page = admin.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert "Opleiding per groep" in page and "H1a" in page
    people = len(re.findall(rb"<(?:leerling|leerkracht) key=", data))
    assert f"{people} personen in het bestand hebben geen gebruikersnaam" in page
    response = _choose(
        admin,
        run,
        opleiding_0="havo 1",
        opleiding_1="vwo 2",
        opleiding_2="pro 1",
        username_pattern="vachternaam",
        school_prefix="on",
    )
    assert response["Location"] == reverse("imports:preview", args=[run.pk])
    preview = admin.get(response["Location"]).content.decode()
    assert "<td>schoola.nyilmaz</td>" in preview  # the generated usernames are shown
    school_a.refresh_from_db()
    assert school_a.brin == ""  # not before the import
    importeer(admin, run)
    run.refresh_from_db()
    assert run.status == "done" and run.counts["error"] == 0, run.report["problems"][:2]
    school_a.refresh_from_db()
    assert school_a.brin == "12AB"
    assert Account.objects.get(school=school_a, external_id="4001").programme.code == "havo 1"
    remembered = RememberedEdexChoices.objects.get(school=school_a)
    assert remembered.programmes == {"H1a": "havo 1", "V2b": "vwo 2", "S1": "pro 1"}
    assert remembered.username_pattern == "school.vachternaam"
    # The next file offers the same choices.
    again = uploaded(admin, _VOORTGEZET.read_bytes(), "EDEX2.XML")
    form = admin.get(reverse("imports:mapping", args=[again.pk])).context["form"]
    assert form["opleiding_0"].value() == "havo 1" and form["school_prefix"].value()


def test_another_schools_file_is_refused_at_the_preview(admin, school_a):
    School.objects.filter(pk=school_a.pk).update(brin="12AB")
    run = uploaded(admin, (HERE / "andere-school.xml").read_bytes(), "EDEX.XML")
    summary = admin.get(reverse("imports:mapping", args=[run.pk])).content.decode()
    assert 'id="andere-school"' in summary and "99ZZ" in summary
    _choose(admin, run)
    response = admin.get(reverse("imports:preview", args=[run.pk]), follow=True)
    page = response.content.decode()
    assert "99ZZ" in page and "12AB" in page and "Klasse importeert het niet" in page
    assert page.count("99ZZ") == 1  # the refusal once, not also as a message
    assert not Account.objects.filter(school=school_a, role="student").exists()


def test_an_entity_bomb_is_refused_on_upload_and_nothing_is_stored(admin):
    response = upload(admin, (HERE / "entity-bomb.xml").read_bytes(), "EDEX.XML")
    assert response.status_code == 200
    assert "DOCTYPE" in response.content.decode()
    assert not UploadedFile.objects.exists() and not ImportRun.objects.exists()


def test_bsn_and_birth_dates_are_nowhere_after_an_import(admin, school_a, caplog):
    caplog.set_level(logging.DEBUG)
    data = (HERE / "EDEX.XML").read_bytes()
    text = data.decode("utf-8")
    secrets = re.findall(r"<bsn>(\d+)</bsn>", text)
    secrets += re.findall(r"<geboortedatum>([^<]+)</geboortedatum>", text)
    assert len(secrets) > 200
    run = uploaded(admin, data, "EDEX.XML")
    stored = bytes(UploadedFile.objects.get(run=run).data)
    assert not [s for s in secrets if s.encode() in stored]
    _choose(admin, run)
    importeer(admin, run)
    run.refresh_from_db()
    assert run.status == "done" and run.counts["add"] > 190
    found = "\n".join(record.getMessage() for record in caplog.records)
    assert not [s for s in secrets if s in found]
    if connection.vendor == "sqlite":  # the database file, free pages included
        database = connection.connection.serialize()
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(t::text, ' ') FROM (SELECT * FROM imports_importrun) t"
            )
            database = (cursor.fetchone()[0] or "").encode()
    assert not [s for s in secrets if s.encode() in database]


def test_the_fixup_file_of_an_edexml_file_reads_back_as_a_csv(admin, school_a):
    from klasse.imports.core.mapping import suggest_mapping
    from klasse.imports.core.reading import read_table

    run = uploaded(admin, (HERE / "voortgezet.xml").read_bytes(), "EDEX.XML")
    _choose(admin, run)  # no programmes chosen: every pupil is an error
    response = admin.get(reverse("imports:fixup_csv", args=[run.pk]))
    content = b"".join(response.streaming_content)
    table = read_table(content, "fouten.csv")
    assert table.headers[:4] == ["achternaam", "tussenvoegsel", "voornaam", "gebruikersnaam"]
    mapping = suggest_mapping(table.headers)
    assert {mapping[h] for h in ("achternaam", "tussenvoegsel", "klas", "opleiding")} == {
        "last_name",
        "infix",
        "class_name",
        "programme",
    }
    assert "jaargroep" in table.rows[0].cells[-1]


def test_an_edexml_import_is_in_the_history_and_can_be_undone(admin, alice, school_a):
    from klasse.imports.undo import import_undo

    run = uploaded(admin, (HERE / "EDEX.XML").read_bytes(), "EDEX.XML")
    _choose(admin, run)
    importeer(admin, run)
    run.refresh_from_db()
    added = run.counts["add"]
    assert run.status == "done" and added > 190
    assert run.report["file"]["format"] == "edexml"
    page = admin.get(reverse("history:detail", args=[run.pk])).content.decode()
    assert "EDEX.XML" in page
    result = import_undo(run=run, actor=alice)
    assert len(result.removed) == added and result.kept == []  # nobody touched them since
    assert (
        not Account.objects.filter(school=school_a, archived_at__isnull=True)
        .exclude(pk=alice.pk)
        .exists()
    )
