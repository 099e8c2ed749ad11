"""What can go wrong with an import file, in words a school administrator can act on.

Two kinds: a `FileProblem` stops the whole import before anything is written; a `Problem`
belongs to one row (or the header) and is reported beside the rows that can be imported.
Every message is Dutch and says what is wrong and how to fix it; `code` is the stable,
machine-readable name from the import contract (docs/import-contract.md, "Problem codes").
A row's message is a `texts.Text`, so that a page can say it in the reader's language
(`Problem.text`); its name is `problem_names.PROBLEM_NAMES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .problem_names import problem_name
from .texts import localized

FILE_PROBLEM_CODES = frozenset(
    {
        "unreadable_file",
        "empty_file",
        "unsupported_format",
        "too_large",
        "missing_required_columns",
        "mass_archive_needs_confirmation",
        "wrong_school",
    }
)

# A row with an error is skipped; a warning is reported and the row is imported all the same.
# The manual (TOOLS › HULP) explains each code, and its tests hold it to these sets.
ROW_ERROR_CODES = frozenset(
    {
        "required",
        "duplicate_in_file",
        "username_taken",
        "invalid_username",
        "no_password_or_email",
        "invalid_email",
        "unknown_programme",
        "unknown_role",
        "too_long",
        "invalid_characters",
        "weak_password",
        "wrong_column_count",
        "spreadsheet_date",
        "spreadsheet_error",
        "formula_without_value",
        "invalid_eck_id",
        "eck_id_taken",
        "class_group_conflict",
    }
)
ROW_WARNING_CODES = frozenset(
    {
        "repaired_text",
        "suspect_characters",
        "similar_account",
        "programme_spelling",
        "damaged_value",
        "skipped_lines",
        "other_school_year",
    }
)

Severity = Literal["error", "warning"]


class FileProblem(Exception):
    """The file as a whole cannot be imported; nothing is changed."""

    def __init__(self, code: str, message: str) -> None:
        # A typo in a code would silently break the command line's JSON contract.
        if code not in FILE_PROBLEM_CODES:
            raise ValueError(f"unknown file problem code: {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Problem:
    """One finding about one row; `row` is the number a spreadsheet shows (header = 1)."""

    row: int | None
    column: str | None  # the header as the file names it
    field: str | None
    severity: Severity
    code: str
    message: str

    def __post_init__(self) -> None:
        # As for FileProblem: a code nobody registered would reach the JSON and the pages
        # without an explanation in the manual.
        known = ROW_ERROR_CODES if self.severity == "error" else ROW_WARNING_CODES
        if self.code not in known:
            raise ValueError(f"unknown {self.severity} code: {self.code!r}")

    @property
    def text(self) -> str:
        """The message in the reader's (active) language (`texts.localized`)."""
        return localized(self.message)

    @property
    def name(self) -> str:
        """What this kind of problem is called, in the active language."""
        return problem_name(self.code)

    def as_dict(self) -> dict[str, int | str | None]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }
