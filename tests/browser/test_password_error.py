"""In real Chromium: the error under a password field stands below it, never over it
(issue 17, item 6). Seen on "Kies je wachtwoord", the page an e-mailed link opens."""

import pytest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from klasse.accounts.tokens import password_link_tokens
from tests.browser.conftest import BROWSER, screenshot
from tests.conftest import make_account

pytestmark = BROWSER


def _apart(upper: dict, lower: dict) -> bool:
    """Whether box `lower` starts at or below the bottom of box `upper` (no overlap)."""
    return lower["y"] >= upper["y"] + upper["height"] - 0.5


@pytest.mark.parametrize(
    ("first", "second", "said"),
    [("kort", "kort", "te kort"), ("lang-genoeg-1", "anders-2026", "komen niet overeen")],
)
def test_a_password_error_is_said_below_its_field(page, school_a, first, second, said):
    zoe = make_account(school_a, "zoe", email="zoe@example.nl")
    uid = urlsafe_base64_encode(force_bytes(zoe.pk))
    token = password_link_tokens.make_token(zoe)
    page.goto(reverse("password_choose", kwargs={"uidb64": uid, "token": token}))
    fields = page.locator("input[type=password]")
    fields.nth(0).fill(first)
    fields.nth(1).fill(second)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    errors = page.locator("form .error")
    errors.first.wait_for()
    screenshot(page, f"wachtwoord-kiezen-fout-{first}")
    assert said in errors.first.inner_text()
    inputs = page.locator("form input[type=password]")
    boxes = [inputs.nth(i).bounding_box() for i in range(inputs.count())]
    for index in range(errors.count()):
        error = errors.nth(index).bounding_box()
        # Each error lies wholly between two fields (or below the last), never over one.
        for field in boxes:
            assert _apart(field, error) or _apart(error, field), (field, error)
    # The error belongs to a field that comes before it, and is readable on its own line.
    assert any(_apart(field, errors.first.bounding_box()) for field in boxes)
