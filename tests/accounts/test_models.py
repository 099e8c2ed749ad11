import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.db import IntegrityError, transaction

from klasse.accounts.models import Account, Programme, Role
from klasse.accounts.programmes import match_programme

pytestmark = pytest.mark.django_db


def test_usernames_are_unique_case_insensitively_in_the_database(school_a, school_b):
    Account.objects.create(school=school_a, username="jansen", first_name="J", last_name="J")
    with pytest.raises(IntegrityError), transaction.atomic():
        # A bulk insert bypasses all Python checks: only the database can refuse it.
        Account.objects.bulk_create(
            [Account(school=school_b, username="Jansen", first_name="J", last_name="J")]
        )
    assert Account.objects.filter(username__iexact="jansen").count() == 1


def test_usernames_keep_the_case_as_written(school_a):
    account = Account.objects.create_user(
        "PietJansen", school=school_a, first_name="P", last_name="J"
    )
    assert Account.objects.get(pk=account.pk).username == "PietJansen"


def test_names_are_written_and_sorted_the_dutch_way(sara):
    assert sara.full_name == "Sara van der Berg"
    assert sara.sort_name == "Berg, Sara van der"


def test_the_programme_catalogue_is_loaded_by_a_migration():
    codes = set(Programme.objects.values_list("code", flat=True))
    assert {
        "groep 1",
        "groep 8",
        "havo 5",
        "vwo 6",
        "vmbo-gl 3",
        "mbo niveau 4",
        "vso",
        "so",
        "havo/vwo 1",
        "vmbo-t/havo 2",
        "mavo/havo 1",
        "vwo/gymnasium 3",
        "brugklas 1",
    } <= codes
    assert "vmbo-gl 1" not in codes
    assert Programme.objects.count() == 56


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("HAVO 3", "havo 3"),
        ("3 havo", "havo 3"),
        ("mavo 2", "vmbo-tl 2"),
        ("atheneum 4", "vwo 4"),
        ("gymnasium 4", "vwo 4"),
        ("Groep 5", "groep 5"),
        (" vmbo-TL  2 ", "vmbo-tl 2"),
        ("havo 9", None),
        ("", None),
        ("HAVO/VWO 1", "havo/vwo 1"),
        ("1 havo/vwo", "havo/vwo 1"),
        ("h/v 2", "havo/vwo 2"),
        ("vmbo-t/havo 1", "vmbo-t/havo 1"),
        ("TL/havo 2", "vmbo-t/havo 2"),
        ("mavo/havo 2", "mavo/havo 2"),
        ("atheneum/gymnasium 1", "vwo/gymnasium 1"),
        ("gymnasium 1", "vwo 1"),
        ("Brugklas", "brugklas 1"),
        ("vmbo-k 2", "vmbo-kb 2"),
        ("vmbo-b 3", "vmbo-bb 3"),
        ("havo/vwo 4", None),
    ],
)
def test_programmes_are_matched_with_their_aliases(written, code):
    assert match_programme(written) == code


def test_passwords_are_hashed_with_argon2id_at_owasp_minimum(settings):
    settings.PASSWORD_HASHERS = ["klasse.accounts.hashers.KlasseArgon2PasswordHasher"]
    encoded = make_password("een-lang-wachtwoord")
    assert encoded.startswith("argon2$argon2id$")
    params = dict(part.split("=") for part in encoded.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert identify_hasher(encoded).algorithm == "argon2"


def test_an_account_is_active_until_archived(sara):
    from django.utils import timezone

    assert sara.is_active
    sara.archived_at = timezone.now()
    assert not sara.is_active and sara.role == Role.STUDENT
