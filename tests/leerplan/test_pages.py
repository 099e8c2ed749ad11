"""The way in, LEERPLAN's switches and who reaches them, the student's home and the JSON."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from klasse.accounts.models import AuditEntry, SchoolClass
from klasse.leerplan.licences import today
from klasse.leerplan.models import Activation, PersonalActivation, Skill
from tests.conftest import client_for, make_account
from tests.leerplan.conftest import grant

pytestmark = pytest.mark.django_db


def class_url(name, school_class, vak="rekenen"):
    return reverse(f"leerplan:{name}", args=[vak, school_class.pk])


def switch(client, url, button, target, **extra):
    return client.post(url, {button: target, **extra})


def test_staff_land_on_the_only_subject_or_choose_among_several(alice, tom, school_a):
    assert client_for(alice).get("/", follow=True).redirect_chain[-1][0] == reverse("imports:start")
    grant(school_a, "rekenen")
    chain = client_for(alice).get("/", follow=True).redirect_chain
    assert chain[-1][0] == reverse("leerplan:overview", args=["rekenen"])
    grant(school_a, "engels")
    for who in (alice, tom):
        page = client_for(who).get("/", follow=True)
        text = page.content.decode()
        assert page.redirect_chain[-1][0] == reverse("leerplan:subjects")
        assert "Kies een vak" in text and "Rekenen/wiskunde" in text and "Engels" in text
        assert "Nederlands" not in text


def test_without_a_licence_the_administrator_can_import_and_is_told(alice):
    page = client_for(alice).get(reverse("imports:start")).content.decode()
    assert "nog geen licentie voor een vak" in page
    assert (
        "importeren doe je één keer voor alle vakken" not in page
    )  # no subjects: no TOOLS per subject


def test_a_subject_opens_with_overzichten_leerplan_and_tools(alice, rekenen, class_a, school_a):
    grant(school_a, "engels")
    client = client_for(alice)
    page = client.get(reverse("leerplan:overview", args=["rekenen"])).content.decode()
    assert ">OVERZICHTEN<" in page and ">LEERPLAN<" in page and ">TOOLS<" in page
    assert "Rekenen/wiskunde" in page and "3HB" in page
    tools = client.get(reverse("imports:start")).content.decode()  # the subject stays chosen
    assert "Rekenen/wiskunde" in tools and "nog geen licentie" not in tools
    assert "importeren doe je één keer voor alle vakken" in tools


def test_an_unlicensed_subject_is_404_and_an_ended_one_only_the_administrator_views(
    alice, tom, school_a, class_a
):
    grant(
        school_a,
        "engels",
        starts=today() - dt.timedelta(days=400),
        ends=today() - dt.timedelta(days=1),
    )
    admin, teacher = client_for(alice), client_for(tom)
    for vak in ("nt2", "bestaat-niet"):
        for client in (admin, teacher):
            assert client.get(reverse("leerplan:overview", args=[vak])).status_code == 404
            assert client.get(class_url("class", class_a, vak)).status_code == 404
    assert teacher.get(reverse("leerplan:overview", args=["engels"])).status_code == 404
    chooser = admin.get(reverse("leerplan:subjects")).content.decode()
    ended = (today() - dt.timedelta(days=1)).strftime("%d-%m-%Y")
    assert f"verlopen op {ended}" in chooser
    assert admin.get(class_url("class", class_a, "engels")).status_code == 200
    switch(admin, class_url("class", class_a, "engels"), "aan", "skill:ENG-LUI-A1-01")
    assert not Activation.objects.exists()
    assert (
        f"is verlopen op {ended}"
        in admin.get(class_url("class", class_a, "engels")).content.decode()
    )


def test_staff_prepare_a_subject_whose_licence_starts_later_and_students_do_not_see_it(
    alice, tom, school_a, class_a, sara
):
    starts = today() + dt.timedelta(days=20)
    grant(school_a, "nt2", starts=starts, ends=today() + dt.timedelta(days=380))
    for account in (alice, tom):
        client = client_for(account)
        chooser = client.get(reverse("leerplan:subjects"), follow=True)
        assert chooser.redirect_chain[-1][0] == reverse("leerplan:overview", args=["nt2"])
        page = client.get(reverse("leerplan:subjects") + "?kies=1").content.decode()
        assert f"vanaf {starts:%d-%m-%Y}" in page
        assert ("TOOLS is in elk vak" in page) == (account == alice)
    switch(client_for(alice), class_url("class", class_a, "nt2"), "aan", "domain:NT2-LEZ")
    assert Activation.objects.filter(school_class=class_a).exists()
    student = client_for(sara)
    assert "NT2-LEZ" not in student.get(reverse("home"), follow=True).content.decode()
    assert json.loads(student.get("/api/leerplan/").content)["subjects"] == []


def test_switching_one_skill_a_domain_and_a_level_writes_one_audit_entry_each(
    alice, rekenen, class_a
):
    client, url = client_for(alice), class_url("class", class_a)
    switch(client, url, "aan", "skill:REK-GET-1F-01")
    switch(client, url, "aan", "domain:REK-VER")
    switch(client, url, "aan", "domain:REK-MET:2F")
    later = today() + dt.timedelta(days=100)
    switch(client, url, "aan", "level:1S", vanaf=later.isoformat())
    on = dict(Activation.objects.filter(school_class=class_a).values_list("skill__code", "starts"))
    ver = set(Skill.objects.filter(domain__code="REK-VER").values_list("code", flat=True))
    met_2f = set(
        Skill.objects.filter(domain__code="REK-MET", level="2F").values_list("code", flat=True)
    )
    level_1s = set(Skill.objects.filter(subject=rekenen, level="1S").values_list("code", flat=True))
    assert set(on) == {"REK-GET-1F-01"} | ver | met_2f | level_1s
    assert on["REK-VER-1S-01"] is None  # open already: a level switched on never postpones
    assert on["REK-GET-1S-01"] == later
    assert on["REK-VER-1F-01"] is None
    entries = list(AuditEntry.objects.filter(action="leerplan").order_by("id"))
    assert len(entries) == 4
    assert entries[1].details["on"] == sorted(ver) and entries[1].details["class"] == "3HB"
    assert entries[3].details["starts"] == later.isoformat()
    assert "REK-VER-1S-01" in entries[3].details["kept"]
    assert "REK-VER-1S-01" not in entries[3].details["on"]
    assert entries[0].actor == alice
    switch(client, url, "uit", "domain:REK-VER")
    assert not Activation.objects.filter(skill__domain__code="REK-VER").exists()
    assert AuditEntry.objects.filter(action="leerplan").first().details["off"] == sorted(ver)


def test_a_bad_date_or_target_changes_nothing_and_says_so(alice, rekenen, class_a):
    client, url = client_for(alice), class_url("class", class_a)
    page = switch(client, url, "aan", "skill:REK-GET-1F-01", vanaf="31-02-2030")
    assert page.status_code == 302
    text = client.get(url).content.decode()
    assert "is geen datum" in text
    for target in ("skill:ENG-LUI-A1-01", "domain:REK-XXX", "level:A1", "iets"):
        switch(client, url, "aan", target)
    assert not Activation.objects.exists() and not AuditEntry.objects.exists()


def test_htmx_gets_only_the_switchboard_back(alice, rekenen, class_a):
    response = client_for(alice).post(
        class_url("class", class_a), {"aan": "skill:REK-GET-1F-01"}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert response.status_code == 200 and text.startswith('<form id="switchboard"')
    assert "1 vaardigheid aangezet." in text and "<html" not in text


def test_a_teacher_switches_for_own_classes_and_gets_404_for_others(
    tom, rekenen, class_a, school_a
):
    other = SchoolClass.objects.create(school=school_a, name="1A")
    student = make_account(school_a, "kees", school_class=other)
    client = client_for(tom)
    assert (
        switch(client, class_url("class", class_a), "aan", "skill:REK-GET-1F-01").status_code == 302
    )
    assert Activation.objects.filter(school_class=class_a).count() == 1
    for name in ("class", "class_overview"):
        assert client.get(class_url(name, other)).status_code == 404
        assert switch(client, class_url(name, other), "aan", "level:1F").status_code == 404
    assert client.get(reverse("leerplan:student", args=["rekenen", student.pk])).status_code == 404
    assert not Activation.objects.filter(school_class=other).exists()
    overview = client.get(reverse("leerplan:overview", args=["rekenen"])).content.decode()
    assert "3HB" in overview and "1A" not in overview


def test_another_schools_administrator_reaches_nothing(bob, school_b, rekenen, class_a, sara):
    grant(school_b, "rekenen")
    client = client_for(bob)
    for url in (
        class_url("class", class_a),
        class_url("class_overview", class_a),
        reverse("leerplan:student", args=["rekenen", sara.pk]),
    ):
        assert client.get(url).status_code == 404
        assert switch(client, url, "aan", "level:1F").status_code == 404
    assert "3HB" not in client.get(reverse("leerplan:overview", args=["rekenen"])).content.decode()
    assert not Activation.objects.exists() and not PersonalActivation.objects.exists()


def test_students_see_what_is_open_today_and_nothing_when_nothing_is(
    alice, rekenen, class_a, sara, school_a
):
    other = SchoolClass.objects.create(school=school_a, name="1A")
    kees = make_account(school_a, "kees", school_class=other)
    url = class_url("class", class_a)
    switch(client_for(alice), url, "aan", "skill:REK-GET-1F-01")
    switch(client_for(alice), url, "aan", "skill:REK-GET-1F-02", vanaf="2099-01-01")
    page = client_for(sara).get(reverse("student_home")).content.decode()
    assert "Rekenen/wiskunde" in page and "Getallen tot 1000 lezen" in page
    assert "Optellen en aftrekken tot 100" not in page  # from 2099 on
    kees_page = client_for(kees).get(reverse("student_home")).content.decode()
    assert "Je docent heeft voor dit vak nog niets klaargezet" in kees_page
    # Moved to the other class: its leerplan at once, the old one's gone.
    sara.school_class = other
    sara.save()
    moved = client_for(sara).get(reverse("student_home")).content.decode()
    assert "Getallen tot 1000 lezen" not in moved and "nog niets klaargezet" in moved


def test_a_personal_leerplan_adds_to_the_class_for_one_student(
    tom, rekenen, class_a, sara, school_a
):
    classmate = make_account(school_a, "mila", school_class=class_a)
    url = reverse("leerplan:student", args=["rekenen", sara.pk])
    switch(client_for(tom), url, "aan", "skill:REK-VBD-2F-01")
    assert (
        "Informatie uit grafieken" in client_for(sara).get(reverse("student_home")).content.decode()
    )
    assert (
        "Informatie uit grafieken"
        not in client_for(classmate).get(reverse("student_home")).content.decode()
    )
    entry = AuditEntry.objects.get(action="leerplan_student")
    assert entry.account == sara and entry.details["on"] == ["REK-VBD-2F-01"]
    overview = client_for(tom).get(class_url("class_overview", class_a)).content.decode()
    assert "Vaardigheden open" in overview


def test_an_ended_licence_hides_the_subject_and_an_archived_student_sees_nothing(
    alice, school_a, class_a, sara
):
    licence = grant(school_a, "rekenen")
    switch(client_for(alice), class_url("class", class_a), "aan", "level:1F")
    assert "Rekenen/wiskunde" in client_for(sara).get(reverse("student_home")).content.decode()
    from klasse.leerplan.skills import open_skills

    sara.archived_at = timezone.now()
    assert open_skills(sara) == []
    sara.archived_at = None
    licence.ends = today() - dt.timedelta(days=1)
    licence.save()
    page = client_for(sara).get(reverse("student_home")).content.decode()
    assert "Rekenen/wiskunde" not in page
    assert Activation.objects.filter(school_class=class_a).exists()  # kept for a new licence


def test_the_json_endpoint_lists_the_students_open_skills(alice, rekenen, class_a, sara, tom):
    switch(client_for(alice), class_url("class", class_a), "aan", "skill:REK-GET-1F-01")
    response = client_for(sara).get(reverse("leerplan_api"))
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "date": today().isoformat(),
        "student": {"username": "sara", "school": "school-a"},
        "subjects": [
            {
                "slug": "rekenen",
                "name": "Rekenen/wiskunde",
                "framework": "Referentiekader taal en rekenen (SLO)",
                "skills": [
                    {
                        "code": "REK-GET-1F-01",
                        "name": "Getallen tot 1000 lezen, schrijven en op de getallenlijn plaatsen",
                        "level": "1F",
                        "domain": {"code": "REK-GET", "name": "Getallen"},
                    }
                ],
            }
        ],
    }
    assert client_for(tom).get(reverse("leerplan_api")).status_code == 403
    assert client_for(alice).get(reverse("leerplan_api")).status_code == 403
    assert client_for(sara).post(reverse("leerplan_api")).status_code == 405


def test_the_licences_page_says_the_count_against_the_limit(alice, school_a, sara, tom):
    licence = grant(school_a, "nt2")
    licence.max_students = 1
    licence.save()
    make_account(school_a, "extra")
    page = client_for(alice).get(reverse("licences")).content.decode()
    assert "NT2" in page and "2 van 1" in page and "meer leerlingen dan de licentie noemt" in page
    assert client_for(tom).get(reverse("licences")).status_code == 403


def test_the_pages_speak_english_from_the_apps_own_translations(alice, rekenen, class_a, sara):
    client = client_for(alice)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.post(class_url("class", class_a), {"aan": "skill:REK-GET-1F-01"}, **english)
    page = client.get(class_url("class", class_a), **english).content.decode()
    assert "Switch on: Optellen en aftrekken" in page and "1 skill switched on." in page
    assert ">LEERPLAN<" in page and "Leerplan of class 3HB" in page
    tools = client.get(reverse("imports:start"), **english).content.decode()
    assert "you import once for all subjects" in tools
    log = client.get(reverse("users:audit"), **english).content.decode()
    assert "rekenen, class 3HB: 1 on: REK-GET-1F-01" in log
    kees = client_for(sara).get(reverse("student_home"), **english).content.decode()
    assert "Getallen tot 1000" in kees  # the leerplan itself is Dutch


def test_a_student_moved_by_an_import_sees_the_new_classs_leerplan_at_once(
    alice, rekenen, class_a, sara, school_a, tmp_path, capsys
):
    from tests.conftest import template_csv
    from tests.imports.cli import run_import_command

    other = SchoolClass.objects.create(school=school_a, name="1A")
    switch(client_for(alice), class_url("class", class_a), "aan", "skill:REK-GET-1F-01")
    switch(client_for(alice), class_url("class", other), "aan", "skill:REK-MET-1F-01")
    PersonalActivation.objects.create(skill=Skill.objects.get(code="REK-VBD-1F-01"), student=sara)
    path = tmp_path / "verhuisd.csv"
    path.write_bytes(template_csv("Berg;van der;Sara;sara;;;1A;havo 3;;"))
    code, _out = run_import_command(capsys, str(path), "--school", "school-a", "--update")
    assert code == 0
    page = client_for(sara).get(reverse("student_home")).content.decode()
    assert "Klokkijken en rekenen met tijdsduur" in page  # 1A's
    assert "Gegevens aflezen uit een eenvoudige tabel" in page  # her own goes with her
    assert "Getallen tot 1000 lezen" not in page  # 3HB's no more


def test_the_subject_pages_ask_as_many_queries_for_thirty_classes_as_for_three(
    alice, rekenen, school_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count: int) -> list[int]:
        for i in range(count - SchoolClass.objects.filter(school=school_a).count()):
            school_class = SchoolClass.objects.create(school=school_a, name=f"K{count}-{i}")
            for j in range(3):
                make_account(school_a, f"ll-{school_class.pk}-{j}", school_class=school_class)
        first = SchoolClass.objects.filter(school=school_a).order_by("pk").first()
        switch(client_for(alice), class_url("class", first), "aan", "level:1F")
        client, counts = client_for(alice), []
        for name in ("overview", "classes"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse(f"leerplan:{name}", args=["rekenen"])).status_code == 200
            counts.append(len(captured))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(class_url("class_overview", first)).status_code == 200
        return [*counts, len(captured)]

    assert queries(3) == queries(30)


def test_a_domain_switched_on_from_a_date_keeps_open_skills_open_and_says_so(
    alice, rekenen, class_a, sara
):
    client, url = client_for(alice), class_url("class", class_a)
    switch(client, url, "aan", "domain:REK-GET:1F")
    later = today() + dt.timedelta(days=60)
    switch(client, url, "aan", "domain:REK-GET", vanaf=later.isoformat())
    starts = dict(
        Activation.objects.filter(school_class=class_a).values_list("skill__code", "starts")
    )
    level_1f = set(
        Skill.objects.filter(domain__code="REK-GET", level="1F").values_list("code", flat=True)
    )
    assert all(starts[code] is None for code in level_1f)
    assert {starts[c] for c in starts if c not in level_1f} == {later}
    page = client.get(url).content.decode()
    n_on = len(starts) - len(level_1f)
    assert f"{n_on} vaardigheden aangezet vanaf {later:%d-%m-%Y}." in page
    assert f"{len(level_1f)} stonden al aan en hielden hun eigen datum." in page
    assert f"gepland vanaf {later:%d-%m-%Y}" in page and 'class="planned"' in page
    api = json.loads(client_for(sara).get("/api/leerplan/").content)
    assert {s["code"] for s in api["subjects"][0]["skills"]} == level_1f
    # One skill's own button changes its date on purpose.
    switch(client, url, "aan", "skill:REK-GET-1F-01", vanaf=later.isoformat())
    assert Activation.objects.get(skill__code="REK-GET-1F-01").starts == later
    log = client.get(reverse("users:audit")).content.decode()
    assert "stonden al aan en hielden hun datum" in log


@pytest.mark.parametrize(
    "days, message",
    [(301, "ligt na de laatste dag van de licentie"), (None, "31-12-1999 ligt vóór 2000")],
)
def test_a_start_after_the_licence_or_before_2000_is_refused(
    alice, rekenen, class_a, days, message
):
    client, url = client_for(alice), class_url("class", class_a)
    vanaf = (today() + dt.timedelta(days=days)).isoformat() if days else "1999-12-31"
    switch(client, url, "aan", "domain:REK-GET", vanaf=vanaf)
    assert not Activation.objects.exists()
    page = client.get(url).content.decode()
    assert message in page
    if days:
        ends = today() + dt.timedelta(days=300)
        assert f"Kies een dag tot en met {ends:%d-%m-%Y}" in page


def test_the_json_endpoint_answers_head_and_refuses_other_methods_with_json(sara, rekenen):
    from django.test import Client

    student = client_for(sara)
    student_csrf = client_for(sara)
    student_csrf.handler.enforce_csrf_checks = True
    head = student.head(reverse("leerplan_api"))
    assert head.status_code == 200 and head["Content-Type"] == "application/json"
    for client in (student_csrf, Client(enforce_csrf_checks=True)):
        for method in ("post", "put", "patch", "delete", "options"):
            response = getattr(client, method)(reverse("leerplan_api"))
            assert response.status_code == 405, method
            assert response["Allow"] == "GET, HEAD"
            assert response.json()["error"] == "method_not_allowed"


def test_kies_een_vak_names_the_english_tabs_and_the_logbook_shows_d_m_y(
    alice, tom, school_a, class_a
):
    grant(school_a, "rekenen")
    grant(school_a, "nt2", starts=dt.date(2026, 8, 1), ends=dt.date(2099, 7, 31))
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = client_for(alice).get(reverse("leerplan:subjects"), **english).content.decode()
    assert "Each subject has the tabs OVERVIEWS, LEERPLAN and TOOLS." in page
    page = client_for(tom).get(reverse("leerplan:subjects"), **english).content.decode()
    assert "Each subject has the tabs OVERVIEWS and LEERPLAN." in page and "TOOLS" not in page
    later = today() + dt.timedelta(days=10)
    switch(
        client_for(alice),
        class_url("class", class_a),
        "aan",
        "domain:REK-GET",
        vanaf=later.isoformat(),
    )
    log = client_for(alice).get(reverse("users:audit")).content.decode()
    assert f"vanaf {later:%d-%m-%Y}" in log and later.isoformat() not in log
