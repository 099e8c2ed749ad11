"""EDEXML 2.1 and the UWLR leerlinggegevens answer as a third import format (issue 16)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from klasse.accounts.models import Account, School, SchoolClass
from klasse.imports.core.edexml_choices import EdexOptions, ascii_name
from klasse.imports.core.pipeline import prepare_table, read_upload, run_import
from klasse.imports.core.planning import Actions
from klasse.imports.core.problems import FileProblem
from klasse.imports.core.reading import read_table
from klasse.imports.models import ImportRun
from tests.conftest import make_account
from tests.fixtures.edexml.make_edexml import oversized
from tests.imports.cli import run_import_command

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "edexml"
EDEX = HERE / "EDEX.XML"


def _data(name: str) -> bytes:
    return (HERE / name).read_bytes()


def _pupils(name: str) -> list[str]:
    return re.findall(r"<leerling key=", (HERE / name).read_text("utf-8"))


@pytest.fixture
def primary(db) -> School:
    return School.objects.create(slug="obs-de-klimop", name="OBS De Klimop", brin="12AB")


# --- reading ----------------------------------------------------------------------------


def test_edexml_is_read_by_its_content_with_klasses_fields_as_headers():
    table = read_table(EDEX.read_bytes(), "leerlingen.csv")  # the name says nothing
    assert table.format == "edexml"
    assert table.headers[:9] == [
        "last_name",
        "infix",
        "first_name",
        "username",
        "email",
        "class_name",
        "programme",
        "role",
        "external_id",
    ]
    assert {"eck_id", "groups"} <= set(table.headers)
    pupils = [r for r in table.rows if r.cells[table.headers.index("role")] == "leerling"]
    teachers = [r for r in table.rows if r.cells[table.headers.index("role")] == "docent"]
    assert len(pupils) == len(_pupils("EDEX.XML")) and 180 <= len(pupils) <= 200
    assert len(teachers) == 8
    info = table.edex
    assert (info["school_year"], info["brin"], info["teachers"]) == ("2025-2026", "12AB", 8)
    assert [g[0] for g in info["groups"]] == ["1-2a", "1-2b", "3", "4", "5", "6", "7", "8"]
    assert sum(g[2] for g in info["groups"]) == len(pupils)
    assert info["composed_groups"] == ["Plusklas", "Taalgroep NT2"]
    first = dict(zip(table.headers, pupils[0].cells, strict=True))
    assert first["eck_id"].startswith("https://id.school/LL_")
    assert first["external_id"] == "4001" and first["class_name"] == "1-2a"
    assert first["programme"] in ("groep 1", "groep 2")
    # Teachers teach their groups; the samengestelde groepen are groups beside the class.
    teacher = dict(zip(table.headers, teachers[0].cells, strict=True))
    assert teacher["class_name"] == "1-2a" and teacher["groups"] == "Plusklas"
    assert any("Plusklas" in r.cells[-1] or "Taalgroep" in r.cells[-1] for r in pupils)


def test_nothing_klasse_does_not_need_is_in_the_table():
    text = EDEX.read_text("utf-8")
    table = read_table(EDEX.read_bytes(), "EDEX.XML")
    stored = json.dumps([r.cells for r in table.rows]) + json.dumps(table.edex)
    for bsn in re.findall(r"<bsn>(\d+)</bsn>", text):
        assert bsn not in stored
    for born in re.findall(r"<geboortedatum>([^<]+)</geboortedatum>", text):
        assert born not in stored


def test_the_uwlr_answer_in_its_soap_envelope_is_read_as_the_same_table():
    table = read_table(_data("uwlr-leerlinggegevens.xml"), "antwoord.xml")
    assert table.format == "edexml" and table.edex["variant"] == "uwlr"
    assert table.edex["brin"] == "12AB"
    assert sum(1 for r in table.rows if "leerling" in r.cells) == len(
        _pupils("uwlr-leerlinggegevens.xml")
    )


@pytest.mark.parametrize("year", ["2024-2025", "2031-2032"])
def test_any_school_year_of_the_form_jjjj_jjjj_is_accepted(year):
    data = EDEX.read_bytes().replace(b"2025-2026", year.encode())
    assert read_table(data, "EDEX.XML").edex["school_year"] == year


@pytest.mark.parametrize("year", ["2025", "2025-2027", "25-26", ""])
def test_a_wrong_school_year_is_refused_in_dutch(year):
    data = EDEX.read_bytes().replace(b"2025-2026", year.encode())
    with pytest.raises(FileProblem) as found:
        read_table(data, "EDEX.XML")
    assert found.value.code == "unreadable_file" and "JJJJ-JJJJ" in found.value.message


def test_an_entity_bomb_is_refused_before_parsing(monkeypatch):
    import defusedxml.ElementTree

    def never(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(defusedxml.ElementTree, "fromstring", never)
    with pytest.raises(FileProblem) as found:
        read_table(_data("entity-bomb.xml"), "EDEX.XML")
    assert found.value.code == "unreadable_file" and "DOCTYPE" in found.value.message


def test_an_oversized_file_is_refused_before_parsing(monkeypatch, settings):
    import defusedxml.ElementTree

    monkeypatch.setattr(defusedxml.ElementTree, "fromstring", lambda *a, **k: 1 / 0)
    with pytest.raises(FileProblem) as found:
        read_upload(oversized(), "EDEX.XML")
    assert found.value.code == "too_large"
    assert str(settings.KLASSE_MAX_UPLOAD_BYTES // 1048576) in found.value.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<?xml version='1.0'?><EDEX><school>", "unreadable_file"),
        (b"<EDEX><groepen/></EDEX>", "unreadable_file"),
        (b"<?xml version='1.0'?><rapport><x/></rapport>", "unsupported_format"),
        (
            b"<EDEX><school><schooljaar>2025-2026</schooljaar><brincode>12AB</brincode>"
            b"</school></EDEX>",
            "empty_file",
        ),
    ],
)
def test_broken_and_foreign_xml_gets_a_file_problem(data, code):
    with pytest.raises(FileProblem) as found:
        read_table(data, "EDEX.XML")
    assert found.value.code == code


def test_too_many_people_is_too_large():
    with pytest.raises(FileProblem) as found:
        read_table(EDEX.read_bytes(), "EDEX.XML", max_rows=100)
    assert found.value.code == "too_large"


# --- importing --------------------------------------------------------------------------


def test_a_primary_school_imports_groups_programmes_and_teachers(primary):
    report, _ = run_import(EDEX.read_bytes(), "EDEX.XML", school=primary, actions=Actions(add=True))
    pupils = len(_pupils("EDEX.XML"))
    assert report["file"]["format"] == "edexml"
    assert report["file"]["edexml"]["brin"] == "12AB"
    assert report["counts"]["add"] == pupils + 8 and report["counts"]["error"] == 0
    assert report["mapping"]["ECK iD"] == "eck_id"
    assert report["mapping"]["lesgroepen"] == "groups"
    students = Account.objects.filter(school=primary, role="student")
    assert students.count() == pupils
    assert set(students.values_list("programme__code", flat=True)) == {
        f"groep {n}" for n in range(1, 9)
    }
    assert not students.filter(eck_id="").exists()  # every pupil keeps the file's ECK iD
    assert SchoolClass.objects.filter(school=primary, kind="klas").count() == 8
    # The samengestelde groepen are lesgroepen beside the class (issue 16, item 8).
    groups = SchoolClass.objects.filter(school=primary, kind="groep")
    assert sorted(groups.values_list("name", flat=True)) == ["Plusklas", "Taalgroep NT2"]
    assert all(group.group_members.exists() for group in groups)
    teacher = Account.objects.get(school=primary, external_id="T3")
    assert list(teacher.teaching_classes.values_list("name", flat=True)) == ["3"]


def test_a_changed_gebruikersnaam_with_the_same_eck_id_is_one_update(primary):
    actions = Actions(add=True, update=True, archive=True)
    run_import(EDEX.read_bytes(), "EDEX.XML", school=primary, actions=actions)
    pupil = Account.objects.filter(school=primary, role="student").exclude(eck_id="").first()
    old_name = pupil.username
    text = EDEX.read_text("utf-8")
    assert text.count(f"<gebruikersnaam>{old_name}</gebruikersnaam>") == 1
    renamed = text.replace(
        f"<gebruikersnaam>{old_name}</gebruikersnaam>",
        "<gebruikersnaam>nieuwe.naam</gebruikersnaam>",
    )
    report, _ = run_import(renamed.encode("utf-8"), "EDEX.XML", school=primary, actions=actions)
    counts = report["counts"]
    assert (counts["add"], counts["update"], counts["archive"]) == (0, 1, 0)
    pupil.refresh_from_db()
    assert pupil.username == "nieuwe.naam" and pupil.archived_at is None


def test_the_same_file_imported_twice_changes_nothing(primary):
    actions = Actions(add=True, update=True, archive=True)
    run_import(EDEX.read_bytes(), "EDEX.XML", school=primary, actions=actions)
    before = list(Account.objects.filter(school=primary).values().order_by("pk"))
    report, _ = run_import(EDEX.read_bytes(), "EDEX.XML", school=primary, actions=actions)
    counts = report["counts"]
    assert counts["add"] == counts["update"] == counts["archive"] == counts["error"] == 0
    assert list(Account.objects.filter(school=primary).values().order_by("pk")) == before


def test_another_schools_file_is_refused_and_nothing_changes(primary):
    with pytest.raises(FileProblem) as found:
        run_import(
            _data("andere-school.xml"), "EDEX.XML", school=primary, actions=Actions(add=True)
        )
    assert found.value.code == "wrong_school"
    assert "99ZZ" in found.value.message and "12AB" in found.value.message
    assert not Account.objects.filter(school=primary).exists()


def test_a_school_without_brin_never_takes_another_schools_brin(primary, school_a):
    """OBS De Klimop has 12AB: school A, without a BRIN, is refused its file, and keeps
    none."""
    with pytest.raises(FileProblem) as found:
        run_import(EDEX.read_bytes(), "EDEX.XML", school=school_a, actions=Actions(add=True))
    assert found.value.code == "wrong_school"
    assert "12AB" in found.value.message and "andere school" in found.value.message
    assert "Klimop" not in found.value.message  # names nothing of the other school
    school_a.refresh_from_db()
    assert school_a.brin == "" and not Account.objects.filter(school=school_a).exists()


def test_a_school_without_brin_gets_the_files_on_commit_not_on_a_dry_run(school_a):
    report, _ = run_import(
        EDEX.read_bytes(), "EDEX.XML", school=school_a, actions=Actions(add=True), dry_run=True
    )
    assert report["file"]["edexml"]["brin"] == "12AB"
    school_a.refresh_from_db()
    assert school_a.brin == ""
    run_import(EDEX.read_bytes(), "EDEX.XML", school=school_a, actions=Actions(add=True))
    school_a.refresh_from_db()
    assert school_a.brin == "12AB"
    with pytest.raises(FileProblem):
        run_import(_data("andere-school.xml"), "x.xml", school=school_a, actions=Actions(add=True))


def test_other_jaargroepen_need_a_programme_chosen_per_group(primary):
    data = _data("voortgezet.xml")
    report, _ = run_import(data, "v.xml", school=primary, actions=Actions(add=True), dry_run=True)
    unknown = [p for p in report["problems"] if p["code"] == "unknown_programme"]
    assert unknown and report["counts"]["error"] == len(unknown)
    assert (
        "--programme 'H1a=opleiding'"
        in next(p for p in unknown if "H1a" in p["message"])["message"]
    )
    options = EdexOptions({"H1a": "havo 1", "V2b": "vwo 2", "S1": "pro 1"})
    report, _ = run_import(
        data, "v.xml", school=primary, actions=Actions(add=True), options=options
    )
    assert report["counts"]["error"] == 0
    assert Account.objects.get(school=primary, external_id="4001").programme.code == "havo 1"


# --- usernames --------------------------------------------------------------------------


def test_names_become_lower_case_ascii():
    assert ascii_name("Zoë") == "zoe"
    assert ascii_name("de Vries") == "devries"
    assert ascii_name("El Amrani-Yılmaz") == "elamraniyilmaz"


def test_without_a_pattern_pupils_without_username_are_errors(primary):
    report, _ = run_import(
        _data("zonder-gebruikersnamen.xml"),
        "EDEX.XML",
        school=primary,
        actions=Actions(add=True),
        dry_run=True,
    )
    assert report["counts"]["add"] == 0
    assert {p["code"] for p in report["problems"] if p["field"] == "username"} == {"required"}


@pytest.mark.parametrize(
    ("pattern", "shape"),
    [
        ("voornaam.achternaam", r"[a-z]+\.[a-z]+\d*"),
        ("vachternaam", r"[a-z]{2,}\d*"),
        ("nummer", r"(\d+|t\d)\d*"),
        ("school.voornaam.achternaam", r"obsdeklimop\.[a-z]+\.[a-z]+\d*"),
    ],
)
def test_usernames_are_made_by_the_chosen_pattern_unique_on_the_platform(
    primary, school_b, pattern, shape
):
    data = _data("zonder-gebruikersnamen.xml")
    table = read_table(data, "EDEX.XML")
    names = dict(zip(table.headers, table.rows[0].cells, strict=True))
    first = f"{ascii_name(names['first_name'])}.{ascii_name(names['infix'] + names['last_name'])}"
    make_account(school_b, first)  # another school has the first pupil's name already
    run_import(
        data,
        "EDEX.XML",
        school=primary,
        actions=Actions(add=True),
        options=EdexOptions(username_pattern=pattern),
    )
    made = list(Account.objects.filter(school=primary).values_list("username", flat=True))
    assert len(made) == len(table.rows) == len(set(made))
    assert all(re.fullmatch(shape, name) for name in made), made[:5]
    if pattern == "voornaam.achternaam":
        assert Account.objects.get(school=primary, external_id="4001").username == first + "2"


def test_a_generated_username_stays_on_the_next_import(primary):
    data = _data("zonder-gebruikersnamen.xml")
    actions = Actions(add=True, update=True)
    run_import(
        data,
        "E.XML",
        school=primary,
        actions=actions,
        options=EdexOptions(username_pattern="nummer"),
    )
    before = dict(Account.objects.filter(school=primary).values_list("external_id", "username"))
    report, _ = run_import(
        data,
        "E.XML",
        school=primary,
        actions=actions,
        options=EdexOptions(username_pattern="voornaam.achternaam"),
    )
    assert report["counts"]["add"] == report["counts"]["update"] == 0
    after = dict(Account.objects.filter(school=primary).values_list("external_id", "username"))
    assert after == before


def test_the_preview_shows_the_generated_usernames(primary):
    table = read_upload(_data("zonder-gebruikersnamen.xml"), "EDEX.XML")
    prepared = prepare_table(
        table,
        "EDEX.XML",
        school=primary,
        actions=Actions(add=True),
        options=EdexOptions(username_pattern="vachternaam"),
    )
    usernames = [p.row.values["username"] for p in prepared.plan.rows]
    assert all(usernames) and prepared.plan.counts["add"] == len(usernames)


# --- command line -----------------------------------------------------------------------


def test_the_command_line_imports_edexml_with_programmes_and_a_pattern(primary, capsys):
    path = str(HERE / "voortgezet.xml")
    code, out = run_import_command(
        capsys, path, "--school", primary.slug, "--add", "--json", "--username-pattern", "nummer"
    )
    report = json.loads(out)
    assert code == 0 and report["file"]["format"] == "edexml"
    assert report["counts"]["error"] > 0
    code, out = run_import_command(
        capsys,
        path,
        "--school",
        primary.slug,
        "--add",
        "--json",
        "--programme",
        "H1a=havo 1",
        "--programme",
        "V2b=vwo 2",
        "--programme",
        "S1=pro 1",
    )
    report = json.loads(out)
    assert code == 0 and report["counts"]["error"] == 0, report["problems"][:2]
    assert ImportRun.objects.filter(school=primary, source="cli").count() == 2
    # Remembered for the school: the next file needs no --programme.
    code, out = run_import_command(capsys, path, "--school", primary.slug, "--add", "--json")
    assert json.loads(out)["counts"]["error"] == 0


def test_the_command_line_refuses_a_wrong_programme_or_pattern(primary, capsys):
    path = str(EDEX)
    code, _ = run_import_command(
        capsys, path, "--school", primary.slug, "--add", "--programme", "H1a=toverschool"
    )
    assert code == 2
    code, _ = run_import_command(
        capsys, path, "--school", primary.slug, "--add", "--username-pattern", "x"
    )
    assert code == 2


def test_the_command_line_says_wrong_school(primary, capsys):
    code, out = run_import_command(
        capsys, str(HERE / "andere-school.xml"), "--school", primary.slug, "--add", "--json"
    )
    assert code == 1 and json.loads(out)["error"]["code"] == "wrong_school"


def test_the_mass_archive_guard_holds_for_edexml_files(primary):
    run_import(EDEX.read_bytes(), "EDEX.XML", school=primary, actions=Actions(add=True))
    everyone = Actions(add=True, update=True, archive=True)
    with pytest.raises(FileProblem) as found:  # another file of the same school: archive all
        run_import(_data("voortgezet.xml"), "v.xml", school=primary, actions=everyone)
    assert found.value.code == "mass_archive_needs_confirmation"
    assert (
        Account.objects.filter(school=primary, archived_at__isnull=True).count()
        == len(_pupils("EDEX.XML")) + 8
    )


def test_an_edex_root_with_a_namespace_is_read_all_the_same():
    data = EDEX.read_bytes().replace(b"<EDEX>", b'<EDEX xmlns="urn:example:edex">', 1)
    table = read_table(data, "EDEX.XML")
    assert table.format == "edexml" and len(table.rows) == len(_pupils("EDEX.XML")) + 8
