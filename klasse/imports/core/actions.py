"""The follow-up actions an administrator chooses for an import (the import contract,
"Actions"); `planning` gives them to the plan."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actions:
    add: bool = False
    update: bool = False
    archive: bool = False
    overwrite_passwords: bool = False
    confirm_mass_archive: bool = False

    def as_list(self) -> list[str]:
        return [name for name, chosen in vars(self).items() if chosen]
