import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_archived_account_cannot_log_in(client, sara):
    sara.archived_at = timezone.now()
    sara.save()
    response = client.post(reverse("login"), {"username": "sara", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "klopt niet" in response.content.decode()


def test_a_wrong_password_gets_a_dutch_message(client, sara):
    response = client.post(reverse("login"), {"username": "sara", "password": "fout-fout"})
    assert (
        "Deze combinatie van gebruikersnaam en wachtwoord klopt niet" in response.content.decode()
    )


def test_repeated_failures_lock_the_username(client, sara, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sara", "password": "fout-fout"})
    response = client.post(reverse("login"), {"username": "sara", "password": PASSWORD})
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_language_link_names_each_language_in_itself(client):
    dutch = client.get(reverse("login")).content.decode()
    assert 'lang="en">English</button>' in dutch and "Engels" not in dutch
    client.post(reverse("set_language"), {"language": "en", "next": "/inloggen/"})
    english = client.get(reverse("login")).content.decode()
    assert 'lang="nl">Nederlands</button>' in english and "Dutch" not in english
