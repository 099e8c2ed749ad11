"""TOOLS › HULP: the administrators' manual, its sections and their fixed ids, the links to
it from the wizard, the history and the login cards, and an explanation of every problem
code the import can report."""

import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

import klasse
from klasse.help.manual import MANUAL_FILE, manual, render_markdown
from klasse.imports.core import problems
from klasse.imports.core.problems import Problem
from tests.conftest import client_for
from tests.imports.wizard_helpers import MAGISTER, importeer, mapped, uploaded

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STEP_SECTIONS = ["stap-1", "stap-2", "stap-3", "stap-4"]
# Each kind of code that problems.py registers, and the manual's section that explains it.
SECTION_OF_CODES = {
    "FILE_PROBLEM_CODES": "bestandsproblemen",
    "ROW_ERROR_CODES": "fouten",
    "ROW_WARNING_CODES": "waarschuwingen",
}


class _Page(HTMLParser):
    """The ids of a page in their order, its links, and its headings with their ids."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.headings: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((tag, attrs.get("id")))


def registered_codes() -> dict[str, frozenset[str]]:
    """Every set of codes problems.py defines, by its name, however many there are."""
    return {
        name: value
        for name, value in vars(problems).items()
        if name.endswith("_CODES") and isinstance(value, frozenset)
    }


def unexplained(html: str, codes_by_kind: dict[str, frozenset[str]]) -> list[str]:
    """The codes that have no heading `probleem-<code>` in their kind's section."""
    page = _Page(html)
    sections = [heading_id for tag, heading_id in page.headings if tag in ("h2", "h3")]
    missing = []
    for kind, codes in codes_by_kind.items():
        section = SECTION_OF_CODES.get(kind)
        if section not in sections:
            missing += [f"{code} ({kind}: no section of the manual for it)" for code in codes]
            continue
        start = page.ids.index(section)
        following = sections.index(section) + 1
        end = page.ids.index(sections[following]) if following < len(sections) else None
        inside = page.ids[start:end]
        missing += [f"{code} ({section})" for code in codes if f"probleem-{code}" not in inside]
    return sorted(missing)


@pytest.fixture
def admin(alice):
    return client_for(alice)


def test_the_administrator_gets_the_manual_with_its_sections_and_a_table_of_contents(admin):
    assert reverse("help:manual") == "/tools/hulp/"
    response = admin.get("/tools/hulp/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-current="page">HULP</a>' in page
    assert '<nav class="toc card"' in page and "Handleiding voor beheerders" in page
    contents = page.split('<nav class="toc card"')[1].split("</nav>")[0]
    for section in [*STEP_SECTIONS, "vervolgacties", "problemen", "ongedaan-maken"]:
        assert f'href="#{section}"' in contents
        assert f'id="{section}"' in page
    assert "Stap 2: Koppel kolommen</h2>" in page


def test_every_section_and_subsection_has_a_fixed_id_and_is_in_the_contents():
    page = _Page(manual().html)
    assert all(heading_id for tag, heading_id in page.headings if tag in ("h2", "h3", "h4"))
    listed = {s.id for s in manual().toc} | {c.id for s in manual().toc for c in s.children}
    assert listed == {heading_id for tag, heading_id in page.headings if tag in ("h2", "h3")}
    assert len(page.ids) == len(set(page.ids)), "an id is used twice"


@pytest.mark.parametrize("persona", ["tom", "sara"])
def test_teachers_and_students_do_not_reach_the_manual_like_the_rest_of_tools(request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/tools/hulp/").status_code == 403
    assert client.get(reverse("users:list")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/tools/hulp/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_each_wizard_step_links_to_its_own_section_of_the_manual(admin):
    run = uploaded(admin, MAGISTER.read_bytes(), "magister.csv")
    start = admin.get(reverse("imports:start"))
    koppel = admin.get(reverse("imports:mapping", args=[run.pk]))
    run = mapped(admin, MAGISTER.read_bytes(), "magister.csv", Profiel="programme")
    voorbeeld = admin.get(reverse("imports:preview", args=[run.pk]))
    voortgang = admin.get(importeer(admin, run)["Location"])
    sections = set(_Page(manual().html).ids)
    for step, response in zip(STEP_SECTIONS, (start, koppel, voorbeeld, voortgang), strict=True):
        assert response.status_code == 200
        link = f'<a href="/tools/hulp/#{step}" target="_blank" rel="noopener">Hulp bij deze stap'
        assert link in response.content.decode(), step
        assert step in sections


def test_the_undo_and_the_login_cards_link_to_their_sections(admin):
    run = mapped(admin, MAGISTER.read_bytes(), "magister.csv", Profiel="programme")
    importeer(admin, run)
    detail = admin.get(reverse("history:detail", args=[run.pk])).content.decode()
    sheets = admin.get(reverse("users:sheets")).content.decode()
    assert 'href="/tools/hulp/#ongedaan-maken"' in detail
    assert 'href="/tools/hulp/#inlogkaartjes"' in sheets
    assert {"ongedaan-maken", "inlogkaartjes"} <= set(_Page(manual().html).ids)


def test_every_link_in_the_manual_leads_to_a_section_or_a_page_of_klasse():
    page = _Page(manual().html)
    for link in page.links:
        if link.startswith("#"):
            assert link[1:] in page.ids, link
        else:
            assert link.startswith("/"), f"{link}: the manual links only inside Klasse"
            try:
                resolve(link.split("#")[0])
            except Resolver404:
                pytest.fail(f"the manual links to {link}, which is no page of Klasse")


def test_raw_html_in_the_markdown_is_escaped_and_blocks_keep_no_style_or_script():
    html = render_markdown(
        "<script>alert(1)</script>\n\n"
        '{#kop onclick="alert(1)" style="color: red"}\n'
        "## Kop met <b>vet</b>\n\n"
        "| a | b |\n|--:|---|\n| 1 | 2 |\n\n"
        "[klik](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
    ).html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<h2 id="kop">Kop met &lt;b&gt;vet&lt;/b&gt;</h2>' in html
    assert "onclick" not in html and "style=" not in html
    assert "<img" not in html and 'href="javascript' not in html


def test_every_problem_code_is_explained_in_the_section_of_its_kind():
    codes = registered_codes()
    assert set(codes) == set(SECTION_OF_CODES), "a new kind of codes needs its own section"
    assert unexplained(manual().html, codes) == []


def test_a_code_added_without_an_explanation_is_reported():
    codes = registered_codes()
    codes["ROW_WARNING_CODES"] |= {"nieuwe_waarschuwing"}
    codes["SOME_NEW_CODES"] = frozenset({"iets_nieuws"})
    assert unexplained(manual().html, codes) == [
        "iets_nieuws (SOME_NEW_CODES: no section of the manual for it)",
        "nieuwe_waarschuwing (waarschuwingen)",
    ]


def test_the_manual_explains_no_code_that_klasse_does_not_have():
    ids = _Page(manual().html).ids
    explained = {i.removeprefix("probleem-") for i in ids if i.startswith("probleem-")}
    assert explained == set().union(*registered_codes().values())


def test_a_row_problem_with_a_code_nobody_registered_is_refused():
    with pytest.raises(ValueError, match="unknown error code: 'iets_nieuws'"):
        Problem(2, "klas", "class_name", "error", "iets_nieuws", "Rij 2: …")
    with pytest.raises(ValueError, match="unknown warning code: 'required'"):
        Problem(2, "klas", "class_name", "warning", "required", "Rij 2: …")


def test_the_manual_is_package_data_so_an_installed_klasse_has_it():
    package = Path(klasse.__file__).parent
    assert MANUAL_FILE.is_file() and package in MANUAL_FILE.parents
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.md" in pyproject["tool"]["setuptools"]["package-data"]["*"]
    pointer = (ROOT / "docs" / "handleiding.md").read_text(encoding="utf-8")
    assert "klasse/help/handleiding.md" in pointer


def test_in_english_the_sidebar_says_help_and_the_page_says_the_manual_is_dutch(admin):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin.get("/tools/hulp/").content.decode()
    assert 'aria-current="page">HELP</a>' in page
    assert "This manual is available in Dutch only." in page
    assert '<article class="manual" lang="nl">' in page
