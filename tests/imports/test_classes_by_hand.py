"""Imports and classes renamed or removed by hand (issue 17, item 10): a renamed class is
matched by its new name, an import that leaves classes empty offers them for removal, and
an undo makes a class removed since again to put a student back in it (fix17)."""

import pytest
from django.urls import reverse

from klasse.accounts.classes import class_delete, class_rename
from klasse.accounts.models import Account, SchoolClass
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from klasse.imports.services import import_run_record_cli
from klasse.imports.undo import import_undo
from tests.conftest import client_for, template_csv
from tests.imports.wizard_helpers import importeer, mapped

pytestmark = pytest.mark.django_db
ALL = Actions(add=True, update=True, archive=True)


def do_import(school, actor, *lines: str) -> ImportRun:
    data = template_csv(*lines)
    record = import_run_record_cli(
        school=school, file_name="leerlingen.csv", data=data, actions=ALL.as_list(), actor=actor
    )
    run_import(data, "leerlingen.csv", school=school, actions=ALL, record=record)
    return ImportRun.objects.filter(school=school).first()


def test_a_renamed_class_gets_the_rows_of_its_new_name_and_the_old_name_makes_a_new_class(
    alice, class_a, sara
):
    class_rename(school_class=class_a, actor=alice, name="3HB-2026")
    do_import(
        alice.school,
        alice,
        "Berg;van der;Sara;sara;;;3hb-2026;havo 3;;",
        "Kind;;Nieuw;nieuw;geheim-wachtwoord-1;;3HB;havo 3;;",
    )
    sara.refresh_from_db()
    assert sara.school_class_id == class_a.pk
    new = Account.objects.get(username="nieuw").school_class
    assert new.name == "3HB" and new.pk != class_a.pk
    assert set(SchoolClass.objects.values_list("name", flat=True)) == {"3HB", "3HB-2026"}


def test_the_result_of_an_import_that_left_a_class_empty_offers_it_for_removal(
    alice, class_a, sara
):
    client = client_for(alice)
    run = mapped(client, template_csv("Berg;van der;Sara;sara;;;4HB;havo 4;;"), update=True)
    assert importeer(client, run).status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    html = client.get(reverse("imports:progress", args=[run.pk])).content.decode()
    assert "Deze klas is leeg" in html
    assert f'name="klas" value="{class_a.pk}"' in html
    assert reverse("empty_classes_delete") in html


def test_an_undo_makes_the_removed_class_again_and_puts_the_student_back(alice, class_a, sara):
    """Fix17, item 3: an undo puts back what was, the class removed since included."""
    run = do_import(alice.school, alice, "Berg;van der;Sara;sara;;sara@school.nl;4HB;havo 4;;")
    class_delete(school_class=class_a, actor=alice)  # 3HB was left empty: removed
    result = import_undo(run=run, actor=alice)
    sara.refresh_from_db()
    assert sara.school_class.name == "3HB" and sara.school_class_id != class_a.pk
    assert sara.programme.code == "havo 3" and sara.email == ""
    assert result.kept == [] and result.classes_recreated == ["3HB"]
