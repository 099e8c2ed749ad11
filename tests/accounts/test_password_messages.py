"""Every message of the platform's password rules reads wholly in Dutch (issue: real files,
kind 9): Django 6.1 changed a message its Dutch catalogue had not caught up with."""

import re

import pytest
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils import translation

# Words that give an English sentence away; none of them is Dutch.
ENGLISH = re.compile(r"\b(this|password|must|contain|least|characters?|too|your|common)\b", re.I)
TOO_WEAK = ["kort", "1234567", "password", "12345678901", "wachtwoord"]


@pytest.mark.parametrize("password", TOO_WEAK)
def test_every_validator_message_is_dutch(password: str) -> None:
    with translation.override("nl"), pytest.raises(ValidationError) as raised:
        validate_password(password)
    for message in raised.value.messages:
        assert not ENGLISH.search(message), message


def test_the_help_texts_of_the_password_rules_are_dutch() -> None:
    with translation.override("nl"):
        texts = password_validators_help_texts()
    assert texts and all(not ENGLISH.search(text) for text in texts), texts


def test_each_configured_validator_has_a_dutch_message_of_its_own() -> None:
    with translation.override("nl"):
        for validator in get_default_password_validators():
            message = str(validator.get_error_message())
            assert not ENGLISH.search(message), (type(validator).__name__, message)


def test_the_short_password_message_says_the_minimum() -> None:
    with translation.override("nl"), pytest.raises(ValidationError) as raised:
        validate_password("kort")
    assert (
        "Dit wachtwoord is te kort: het moet minstens 8 tekens lang zijn." in raised.value.messages
    )
