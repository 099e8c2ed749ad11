"""The words of the problems that planning finds (the checks that need the school's
accounts): each a `texts.Text`, Dutch in the report and said in the reader's language on
the pages. Codes and when they apply: docs/import-contract.md, "Problem codes"."""

from __future__ import annotations

from .texts import Text, say


def admin_username(number: int, username: str) -> Text:
    """`username_taken` for the username of one of the school's administrators."""
    return say(
        "Rij %(row)s: '%(username)s' is de gebruikersnaam van een beheerder. Een import "
        "wijzigt geen beheerders; kies voor deze rij een andere naam.",
        row=number,
        username=username,
    )


def username_taken(number: int, username: str) -> Text:
    """`username_taken` for a username that an account elsewhere on the platform has."""
    return say(
        "Rij %(row)s: de gebruikersnaam '%(username)s' is al in gebruik op het platform. "
        "Kies een andere gebruikersnaam, bijvoorbeeld met de afkorting van je school ervoor.",
        row=number,
        username=username,
    )


def no_password_or_email(number: int) -> Text:
    """`no_password_or_email`: a new account needs a way to log in."""
    return say(
        "Rij %(row)s: een nieuw account heeft een wachtwoord of een e-mailadres nodig (dan "
        "krijgt diegene een link om zelf een wachtwoord te kiezen). Vul een van beide in.",
        row=number,
    )


def similar_account(number: int, other: str, username: str) -> Text:
    """`similar_account`: a new row named as an existing student of the same class."""
    return say(
        "Rij %(row)s: er bestaat al een account '%(other)s' met dezelfde naam in dezelfde "
        "klas. Is '%(username)s' hetzelfde kind met een nieuwe gebruikersnaam? Pas dan de "
        "gebruikersnaam aan, anders krijgt het kind twee accounts.",
        row=number,
        other=other,
        username=username,
    )
