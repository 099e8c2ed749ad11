"""The follow-up actions an administrator chooses for an import (the import contract,
"Actions"); `planning` gives them to the plan."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actions:
    """What an import may do. `send_emails` (on unless turned off, as before it was a
    choice): each new account with an e-mail address and no password gets a link to choose
    one. `generate_passwords`: a new account without password and e-mail address is added
    (instead of `no_password_or_email`) and gets a password on its login card."""

    add: bool = False
    update: bool = False
    archive: bool = False
    overwrite_passwords: bool = False
    confirm_mass_archive: bool = False
    send_emails: bool = True
    generate_passwords: bool = False

    def as_list(self) -> list[str]:
        return [name for name, chosen in vars(self).items() if chosen]

    @classmethod
    def from_list(cls, names, *, confirm_mass_archive: bool = False) -> Actions:
        """The actions `as_list` gave: each one listed is chosen, every other one not
        (so an unticked `send_emails` stays off)."""
        chosen = {name: name in names for name in vars(cls()) if name != "confirm_mass_archive"}
        return cls(**chosen, confirm_mass_archive=confirm_mass_archive)
