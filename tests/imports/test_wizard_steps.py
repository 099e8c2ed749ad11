"""The import wizard's steps before "Importeer": upload, Koppel kolommen with the
Vervolgacties, Voorbeeld gebruikerslijst and its fix-up file. Nothing is imported here."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import Account, Programme
from klasse.imports.models import ImportRun, RememberedMapping
from klasse.imports.runs import run_prepare
from klasse.imports.wizard.fixup import fixup_csv, fixup_csv_chunks, fixup_rows
from tests.conftest import client_for, make_account, template_csv
from tests.imports.wizard_helpers import (
    MAGISTER,
    importeer,
    mapped,
    mapping_data,
    stored_files,
    upload,
    uploaded,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice):
    return client_for(alice)


def students(n: int, cls: str = "3HB") -> list[str]:
    return [f"Leerling{i};;Kind{i};ll{i};;ll{i}@example.nl;{cls};havo 3;;" for i in range(n)]


# --- step 1: Kies bestand (CSV, XLSX of XML) ----------------------------------------------


def test_the_start_page_offers_kies_csv_bestand_and_the_template_in_both_formats(admin):
    page = admin.get(reverse("imports:start")).content.decode()
    assert "Kies bestand (CSV, XLSX of XML)" in page and 'accept=".csv,.txt,.xlsx,.xml"' in page
    assert reverse("imports:template_csv") in page and reverse("imports:template_xlsx") in page


def test_the_template_downloads_as_csv_and_as_xlsx(admin):
    response = admin.get(reverse("imports:template_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="inleesbestand.csv"'
    assert response.content.decode("utf-8-sig").startswith("achternaam;tussenvoegsel;voornaam")
    response = admin.get(reverse("imports:template_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "achternaam" and sheet["D2"].value == "anna.vdberg"


def test_an_upload_is_kept_in_the_database_read_once_and_goes_on_to_the_mapping(admin):
    response = upload(admin, MAGISTER.read_bytes(), "../../etc/leerlingen.csv")
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("imports:mapping", args=[run.pk])
    assert stored_files() == [run.pk] and run.upload.data == MAGISTER.read_bytes()
    assert run.upload.table is not None  # what was read, for every later step
    assert run.file_name == "leerlingen.csv" and run.status == "planned"
    assert (run.file_info["encoding"], run.file_info["delimiter"]) == ("cp1252", ";")


def test_a_file_that_is_too_large_is_refused_before_it_is_read(admin, settings, monkeypatch):
    settings.KLASSE_MAX_UPLOAD_BYTES = 100
    monkeypatch.setattr("klasse.imports.file_reading.read_upload", pytest.fail)
    response = upload(admin, b"x" * 101)
    assert response.status_code == 200
    assert "de grens is" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.4 rest", "geen spreadsheet"),
        (b"", "Het bestand is leeg"),
        (b"achternaam;voornaam\r\n", "alleen een kopregel"),
    ],
)
def test_a_file_problem_is_shown_in_dutch_and_nothing_is_kept(admin, data, words):
    response = upload(admin, data)
    assert words in response.content.decode()
    assert not ImportRun.objects.exists() and stored_files() == []


# --- step 2: Koppel kolommen -------------------------------------------------------------


def test_the_mapping_is_prefilled_by_the_automatic_matching_with_samples(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    page = admin.get(reverse("imports:mapping", args=[run.pk]))
    html = page.content.decode()
    assert page.context["form"].current_mapping() == {
        "Stamnr": "external_id",
        "Achternaam": "last_name",
        "Tussenv": "infix",
        "Roepnaam": "first_name",
        "Klas": "class_name",
        "Profiel": None,
        "Login": "username",
        "E-mail": "email",
    }
    assert "Koppel kolommen" in html and "Zoë" in html and "Daniëlle" in html
    assert "Nog niet gekoppeld: opleiding" in html
    assert "achternaam *" in html and "tussenvoegsel *" not in html


def test_the_page_does_not_go_on_while_a_required_field_is_unmapped(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    response = admin.post(reverse("imports:mapping", args=[run.pk]), mapping_data(admin, run))
    assert response.status_code == 200
    assert "Koppel eerst de verplichte velden: opleiding" in response.content.decode()
    run.refresh_from_db()
    assert run.mapping == {} and not RememberedMapping.objects.exists()


def test_one_field_for_two_columns_is_refused(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    data = mapping_data(admin, run, Profiel="programme", Stamnr="username")
    page = admin.post(reverse("imports:mapping", args=[run.pk]), data).content.decode()
    assert "is gekozen voor twee kolommen" in page


def test_at_least_one_follow_up_action_is_needed(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    data = mapping_data(admin, run, Profiel="programme", add=False)
    page = admin.post(reverse("imports:mapping", args=[run.pk]), data).content.decode()
    assert "Kies minstens één vervolgactie" in page


def test_a_dropdown_change_only_redraws_which_fields_are_unmapped(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    data = mapping_data(admin, run, Profiel="programme") | {"stap": "controleer"}
    page = admin.post(reverse("imports:mapping", args=[run.pk]), data).content.decode()
    assert "Alle verplichte velden zijn gekoppeld." in page
    run.refresh_from_db()
    assert run.mapping == {}


def test_verder_saves_the_choices_and_the_school_remembers_them_for_the_same_headers(
    admin, alice, bob
):
    run = mapped(admin, MAGISTER.read_bytes(), Profiel="programme", Stamnr="")
    assert run.mapping["Profiel"] == "programme" and run.mapping["Stamnr"] is None
    assert run.actions == ["add", "send_emails"]
    # The same headers in another order: offered the same mapping next time.
    lines = MAGISTER.read_bytes().decode("cp1252").splitlines()
    swapped = "\r\n".join(";".join(reversed(line.split(";"))) for line in lines)
    again = uploaded(admin, swapped.encode("cp1252"))
    form = admin.get(reverse("imports:mapping", args=[again.pk])).context["form"]
    assert form.current_mapping()["Profiel"] == "programme"
    assert form.current_mapping()["Stamnr"] is None
    # Another school does not get school A's choice.
    other = uploaded(client_for(bob), MAGISTER.read_bytes())
    form = client_for(bob).get(reverse("imports:mapping", args=[other.pk])).context["form"]
    assert form.current_mapping()["Profiel"] is None


def test_changing_the_encoding_reads_the_file_again_and_the_samples_change(admin):
    run = uploaded(admin, template_csv("Jansen;;Zoë;zoe;;z@example.nl;3HB;havo 3;;"))
    url = reverse("imports:mapping", args=[run.pk])
    data = mapping_data(admin, run) | {"stap": "opnieuw", "encoding": "cp1252"}
    page = admin.post(url, data).content.decode()
    assert "ZoÃ«" in page and "Zoë" not in page
    run.refresh_from_db()
    # The file was read again, once, in the background, and that reading is kept for the
    # next steps; the mapping itself is saved only by Verder.
    assert run.file_info["encoding"] == "cp1252" and run.mapping == {}


def test_changing_the_separator_shows_other_columns_and_unmapped_fields(admin):
    run = uploaded(admin, template_csv("Jansen;;Zoë;zoe;;z@example.nl;3HB;havo 3;;"))
    data = mapping_data(admin, run) | {"stap": "opnieuw", "delimiter": ","}
    response = admin.post(reverse("imports:mapping", args=[run.pk]), data)
    assert len(response.context["form"].headers) == 1
    assert "Nog niet gekoppeld: achternaam, voornaam, gebruikersnaam" in response.content.decode()


def test_an_encoding_that_cannot_read_the_file_says_so_and_keeps_the_columns(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    data = mapping_data(admin, run) | {"stap": "opnieuw", "encoding": "utf-8"}
    response = admin.post(reverse("imports:mapping", args=[run.pk]), data)
    assert "niet als utf-8 te lezen" in response.content.decode()
    assert response.context["reading"]["encoding"].value() == "cp1252"
    assert "Zoë" in response.content.decode()


def test_the_chosen_encoding_is_used_by_the_preview(admin):
    data = template_csv("Jansen;;Zoë;zoe;;z@example.nl;3HB;havo 3;;")
    run = mapped(admin, data, encoding="cp1252")
    assert run.file_info["encoding"] == "cp1252"
    page = admin.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert "is hersteld tot &#x27;Zoë&#x27;" in page  # read as ANSI: the repair warns


def test_a_first_import_ticks_only_add_and_later_ones_add_and_update(admin, school_a):
    run = uploaded(admin, MAGISTER.read_bytes())
    form = admin.get(reverse("imports:mapping", args=[run.pk])).context["form"]
    # add, update, archive, overwrite_passwords, send_emails (on, as before it was a
    # choice), generate_passwords
    assert [form.initial[n] for n in form.ACTION_NAMES] == [True, False, False, False, True, False]
    ImportRun.objects.create(school=school_a, file_name="x.csv", status="done", actions=["add"])
    run = uploaded(admin, MAGISTER.read_bytes())
    form = admin.get(reverse("imports:mapping", args=[run.pk])).context["form"]
    assert [form.initial[n] for n in form.ACTION_NAMES] == [True, True, False, False, True, False]


def test_back_from_the_preview_the_mapping_shows_the_runs_own_choices(admin):
    run = mapped(admin, MAGISTER.read_bytes(), Profiel="programme", archive=True)
    form = admin.get(reverse("imports:mapping", args=[run.pk])).context["form"]
    assert form.initial["archive"] is True and form.current_mapping()["Profiel"] == "programme"


def test_an_xlsx_file_has_no_encoding_or_separator_to_choose(admin):
    xlsx = admin.get(reverse("imports:template_xlsx")).content
    run = mapped(admin, xlsx, "inleesbestand.xlsx")
    assert run.file_info["format"] == "xlsx" and run.mapping["gebruikersnaam"] == "username"


# --- step 3: Voorbeeld gebruikerslijst -----------------------------------------------------


def test_the_preview_shows_the_counts_every_problem_and_changes_nothing(admin):
    run = mapped(admin, MAGISTER.read_bytes(), Profiel="programme")
    response = admin.get(reverse("imports:preview", args=[run.pk]))
    page = response.content.decode()
    assert response.context["plan"].counts == {
        "add": 4,
        "update": 0,
        "unchanged": 0,
        "archive": 0,
        "error": 1,
        "skipped": 0,
    }
    for label in ("nieuw", "bijgewerkt", "ongewijzigd", "gearchiveerd", "overgeslagen", "fouten"):
        assert f"</strong> {label}</a>" in page
    assert "Voorbeeld gebruikerslijst" in page and "Importeer" in page
    assert "Rij 5, kolom &#x27;Profiel&#x27;: de opleiding &#x27;havo 9&#x27;" in page
    assert reverse("imports:mapping", args=[run.pk]) in page
    assert not Account.objects.filter(role="student").exists()


def test_the_preview_pages_the_accounts_fifty_at_a_time(admin):
    run = mapped(admin, template_csv(*students(120), "Fout;;Kind;;;;3HB;havo 3;;"))
    url = reverse("imports:preview", args=[run.pk])
    first = admin.get(url).context["page"]
    assert len(first.object_list) == 50 and first.paginator.num_pages == 3
    assert len(admin.get(url, {"pagina": 3}).context["page"].object_list) == 21
    errors = admin.get(url, {"toon": "fouten"}).context["page"]
    assert [line.number for line in errors.object_list] == [122]


def test_the_preview_shows_changed_fields_old_to_new_and_who_is_archived(admin, sara, school_a):
    make_account(school_a, "weg", first_name="Wim", last_name="Weg")
    data = template_csv("Berg;van der;Sara;sara;;;4HB;havo 4;;")
    run = mapped(admin, data, update=True, archive=True)
    page = admin.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert '<span class="old">3HB</span> → <span class="new">4HB</span>' in page
    assert '<span class="old">havo 3</span> → <span class="new">havo 4</span>' in page
    assert "1 account wordt gearchiveerd" in page and "Wim Weg" in page


def test_the_fixup_csv_has_the_files_columns_plus_probleem_and_is_formula_safe(admin):
    data = template_csv(
        "Jansen;;Zoë;zoe;;z@example.nl;3HB;havo 3;;",
        "=HYPERLINK(1);;Kind;kind;;k@example.nl;3HB;havo 9;;001",
    )
    run = mapped(admin, data, "leerlingen.csv")
    response = admin.get(reverse("imports:fixup_csv", args=[run.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="leerlingen-fouten.csv"'
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "probleem" and rows[0][:-1] == data.decode().splitlines()[0].split(";")
    assert len(rows) == 2 and rows[1][0] == "'=HYPERLINK(1)" and rows[1][9] == "001"
    assert "de opleiding 'havo 9' staat niet in de lijst" in rows[1][-1]


def test_the_fixup_xlsx_has_the_same_rows_as_text(admin):
    data = template_csv("=1+1;;Kind;kind;;k@example.nl;3HB;havo 9;;001")
    run = mapped(admin, data)
    response = admin.get(reverse("imports:fixup_xlsx", args=[run.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["K1"].value == "probleem" and sheet["A2"].value == "'=1+1"
    assert sheet["J2"].value == "001" and sheet["J2"].data_type == "s"
    assert "havo 9" in sheet["K2"].value


def test_the_fixup_csv_streams_the_bytes_of_the_whole_file(admin):
    lines = [f"=1+{n};;Kind;kind{n};;k{n}@example.nl;3HB;havo 9;;00{n}" for n in range(5)]
    run = mapped(admin, template_csv(*lines))
    response = admin.get(reverse("imports:fixup_csv", args=[run.pk]))
    assert isinstance(response, StreamingHttpResponse)
    streamed = b"".join(response.streaming_content)
    headers, rows = fixup_rows(run_prepare(run))
    assert streamed == fixup_csv(headers, rows) and streamed.count(b"\r\n") == 6
    assert b"".join(fixup_csv_chunks(headers, rows, rows_per_chunk=2)) == streamed


def test_the_fixup_xlsx_keeps_a_value_like_an_error_code_as_text(admin):
    run = mapped(admin, template_csv("#N/A;;Kind;kind;;k@example.nl;3HB;havo 9;;001"))
    response = admin.get(reverse("imports:fixup_xlsx", args=[run.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "#N/A" and sheet["A2"].data_type == "s"


def test_a_fixup_file_uploaded_again_reads_as_the_original(admin):
    data = template_csv("=1+1;;Kind;kind;;k@example.nl;3HB;havo 9;;001")
    run = mapped(admin, data)
    response = admin.get(reverse("imports:fixup_csv", args=[run.pk]))
    fixed = b"".join(response.streaming_content).replace(b"havo 9", b"havo 3", 1)
    again = mapped(admin, fixed, "leerlingen-fouten.csv")
    plan = admin.get(reverse("imports:preview", args=[again.pk])).context["plan"]
    assert plan.counts["add"] == 1 and plan.rows[0].row.values["last_name"] == "=1+1"


def test_a_mass_archive_needs_the_extra_tick_before_importeer_is_accepted(admin, school_a):
    programme = Programme.objects.get(code="havo 3")
    for i in range(12):
        make_account(school_a, f"oud{i}", programme=programme)
    run = mapped(admin, template_csv(*students(1)), archive=True)
    page = admin.get(reverse("imports:preview", args=[run.pk])).content.decode()
    assert 'name="confirm_mass_archive"' in page
    response = importeer(admin, run)
    assert response.status_code == 200
    assert "zet eerst het vinkje hieronder" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "planned"
    assert not Account.objects.filter(archived_at__isnull=False).exists()
    response = importeer(admin, run, confirm=True)
    assert response.status_code == 302
    assert Account.objects.filter(archived_at__isnull=False).count() == 12


def test_nothing_changes_on_get(admin):
    run = mapped(admin, MAGISTER.read_bytes(), Profiel="programme")
    before = ImportRun.objects.values().get(pk=run.pk)
    for name in ("mapping", "preview", "fixup_csv", "fixup_xlsx", "progress"):
        admin.get(reverse(f"imports:{name}", args=[run.pk]))
    admin.get(reverse("imports:preview", args=[run.pk]), {"toon": "fouten", "pagina": 2})
    assert ImportRun.objects.values().get(pk=run.pk) == before
    assert RememberedMapping.objects.count() == 1
    assert not Account.objects.filter(role="student").exists()


def test_stopping_deletes_the_file_and_the_unfinished_run(admin):
    run = uploaded(admin, MAGISTER.read_bytes())
    response = admin.post(reverse("imports:cancel", args=[run.pk]))
    assert response["Location"] == reverse("imports:start")
    assert not ImportRun.objects.exists() and stored_files() == []


def test_files_of_wizards_abandoned_for_a_day_are_deleted_at_the_next_upload(admin):
    old = uploaded(admin, MAGISTER.read_bytes())
    ImportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    new = uploaded(admin, MAGISTER.read_bytes())
    old.refresh_from_db()
    assert stored_files() == [new.pk]
    response = admin.get(reverse("imports:preview", args=[old.pk]), follow=True)
    assert "niet meer bewaard" in response.content.decode()


def test_archiving_is_never_ticked_from_an_earlier_import(alice, school_a):
    from klasse.imports.models import ImportRun
    from klasse.imports.remembered import actions_initial

    ImportRun.objects.create(
        school=school_a,
        actor=alice,
        file_name="hele-school.csv",
        actions=["add", "update", "archive"],
        status=ImportRun.Status.DONE,
    )
    next_run = ImportRun.objects.create(school=school_a, actor=alice, file_name="docenten.csv")
    chosen = actions_initial(next_run)
    assert (chosen.add, chosen.update, chosen.archive) == (True, True, False)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(None, (True, False)), ("done", (True, True)), ("undone", (True, True))],
)
def test_after_an_import_even_one_undone_adding_and_updating_are_ticked(
    alice, school_a, status, expected
):
    """Fix17, item 5: the manual says a later import has add and update ticked; an undo of
    the earlier one does not make the next the school's first."""
    from klasse.imports.models import ImportRun
    from klasse.imports.remembered import actions_initial

    if status:
        ImportRun.objects.create(
            school=school_a, actor=alice, file_name="eerste.csv", actions=["add"], status=status
        )
    next_run = ImportRun.objects.create(school=school_a, actor=alice, file_name="tweede.csv")
    chosen = actions_initial(next_run)
    assert (chosen.add, chosen.update) == expected


def test_a_school_with_students_but_no_import_gets_updating_ticked(alice, school_a, sara):
    from klasse.imports.models import ImportRun
    from klasse.imports.remembered import actions_initial

    run = ImportRun.objects.create(school=school_a, actor=alice, file_name="eerste.csv")
    assert actions_initial(run).update
