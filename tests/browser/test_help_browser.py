"""In real Chromium: "Hulp bij deze stap" in the wizard opens the manual at that step's
section in a tab of its own, and the page breaks no rule of the Content-Security-Policy
(Chromium reports that as a console error)."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER, login, screenshot

pytestmark = BROWSER


def test_hulp_bij_deze_stap_opens_the_manual_at_the_section_of_step_1(page, alice):
    errors: list[str] = []
    page.context.on("console", lambda m: m.type == "error" and errors.append(m.text))
    login(page, alice)
    page.goto(reverse("imports:start"))
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Hulp bij deze stap").click()
    manual = opened.value
    manual.wait_for_url("**/tools/hulp/#stap-1")
    expect(manual.get_by_role("heading", name="Stap 1: Bestand kiezen")).to_be_in_viewport()
    sidebar = manual.locator(".sidebar").get_by_role("link", name="HULP", exact=True)
    expect(sidebar).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Importeren", exact=True)).to_be_visible()
    screenshot(manual, "help-01-stap-1")
    assert errors == []
