"""The leerplan shipped as data: the migration's catalogue, and a later version that adds
and retires skills without losing a school's activations."""

import copy
import re

import pytest
from django.apps import apps

from klasse.leerplan.catalogue import CatalogueError, catalogue_load, catalogue_read
from klasse.leerplan.models import Activation, Domain, PersonalActivation, Skill, Subject
from klasse.leerplan.skills import open_skills
from tests.leerplan.conftest import grant

pytestmark = pytest.mark.django_db
CODE = re.compile(r"^(NED|ENG|REK|NT2)-[A-Z]{3}-(1F|1S|2F|2S|3F|A1|A2|B1|B2)-\d\d$")


def test_the_migration_loads_the_four_subjects_with_their_frameworks():
    subjects = {s.slug: s for s in Subject.objects.all()}
    assert list(subjects) == ["nederlands", "engels", "rekenen", "nt2"]
    assert subjects["rekenen"].name == "Rekenen/wiskunde"
    assert subjects["rekenen"].levels == ["1F", "1S", "2F", "2S", "3F"]
    assert subjects["engels"].levels == ["A1", "A2", "B1", "B2"]
    assert set(Domain.objects.filter(subject__slug="rekenen").values_list("name", flat=True)) == {
        "Getallen",
        "Verhoudingen",
        "Meten en meetkunde",
        "Verbanden",
    }
    assert {"Lezen", "Schrijven", "Begrippenlijst en taalverzorging"} <= set(
        Domain.objects.filter(subject__slug="nederlands").values_list("name", flat=True)
    )
    for slug in ("engels", "nt2"):
        assert set(Domain.objects.filter(subject__slug=slug).values_list("name", flat=True)) == {
            "Luisteren",
            "Lezen",
            "Gesprekken voeren",
            "Spreken",
            "Schrijven",
        }


def test_every_domain_has_several_skills_at_every_level_with_a_stable_code():
    for subject in Subject.objects.all():
        for domain in subject.domains.all():
            for level in subject.levels:
                skills = domain.skills.filter(level=level)
                assert skills.count() >= 3, (domain.code, level)
                for skill in skills:
                    assert CODE.match(skill.code), skill.code
                    assert skill.code.startswith(f"{domain.code}-{level}-")
                    assert len(skill.name) > 15 and skill.retired_in == ""
    assert Skill.objects.get(code="REK-GET-1F-01").added_in == "2026.1"


def _next_version() -> dict:
    """Version 2027.1: drops REK-GET-1F-02, renames REK-GET-1F-01, adds REK-GET-1F-99."""
    data = copy.deepcopy(catalogue_read("2026.1"))
    data["version"] = "2027.1"
    rekenen = next(s for s in data["subjects"] if s["slug"] == "rekenen")
    getallen = rekenen["domains"][0]
    getallen["skills"] = [s for s in getallen["skills"] if s["code"] != "REK-GET-1F-02"]
    getallen["skills"][0]["name"] = "Getallen tot 1000 lezen en schrijven"
    getallen["skills"].append({"code": "REK-GET-1F-99", "name": "Nieuw: splitsen", "level": "1F"})
    return data


def test_a_new_catalogue_version_keeps_every_activation_of_a_skill_it_keeps(class_a, sara, alice):
    kept = list(
        Skill.objects.filter(subject__slug="rekenen", level="1F").exclude(code="REK-GET-1F-02")[:6]
    )
    dropped = Skill.objects.get(code="REK-GET-1F-02")
    Activation.objects.bulk_create(
        [Activation(skill=skill, school_class=class_a) for skill in [*kept, dropped]]
    )
    PersonalActivation.objects.create(skill=kept[0], student=sara)
    before = set(Activation.objects.values_list("pk", "skill__code", "school_class_id"))
    kept_before = {row for row in before if row[1] != "REK-GET-1F-02"}

    counts = catalogue_load(apps, _next_version())

    assert counts == {
        "added": 1,
        "updated": 1,
        "retired": 1,
        "unchanged": Skill.objects.count() - 3,
    }
    after = set(Activation.objects.values_list("pk", "skill__code", "school_class_id"))
    assert kept_before <= after  # every activation of a kept skill, untouched
    assert after == before  # the retired skill's activation is kept too, not deleted
    assert PersonalActivation.objects.filter(skill=kept[0], student=sara).exists()
    dropped.refresh_from_db()
    assert dropped.retired_in == "2027.1"
    # Students no longer see a retired skill; the kept ones they do.
    grant(class_a.school, "rekenen")
    open_codes = {skill.code for _subject, skills in open_skills(sara) for skill in skills}
    assert open_codes == {skill.code for skill in kept}
    assert Skill.objects.get(code="REK-GET-1F-01").name == "Getallen tot 1000 lezen en schrijven"
    assert Skill.objects.get(code="REK-GET-1F-99").added_in == "2027.1"
    # A version that lists it again brings it back, with its activation.
    catalogue_load(apps, catalogue_read("2026.1"))
    dropped.refresh_from_db()
    assert dropped.retired_in == ""
    assert Activation.objects.filter(skill=dropped, school_class=class_a).exists()


def test_loading_the_same_version_again_changes_nothing():
    total = Skill.objects.count()
    assert catalogue_load(apps, catalogue_read("2026.1")) == {
        "added": 0,
        "updated": 0,
        "retired": 0,
        "unchanged": total,
    }


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: d.update(version=""), "geen versie"),
        (
            lambda d: d["subjects"][0]["domains"][0]["skills"].append(
                dict(d["subjects"][0]["domains"][0]["skills"][0])
            ),
            "twee keer",
        ),
        (
            lambda d: d["subjects"][1]["domains"][0]["skills"][0].update(level="1F"),
            "is geen niveau van dit vak",
        ),
    ],
)
def test_a_bad_catalogue_file_is_refused_before_anything_is_written(damage, message):
    data = copy.deepcopy(catalogue_read("2026.1"))
    damage(data)
    before = list(Skill.objects.values_list("code", "name", "retired_in"))
    with pytest.raises(CatalogueError, match=message):
        catalogue_load(apps, data)
    assert list(Skill.objects.values_list("code", "name", "retired_in")) == before
