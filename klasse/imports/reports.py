"""A stored report's problems as the pages show them: each with its name and its message
in the reader's language (issue 17, item 6). The result page and the history read the
report that the import kept (`pipeline.history_report`); a report kept before its `texts`
existed is shown with its Dutch messages."""

from __future__ import annotations

from collections.abc import Sequence

from .core.problem_names import problem_name
from .core.texts import localized, text_from_data


class ShownProblems(Sequence):
    """The problems of `report` as dicts (the report's keys plus `text` and `name`), made
    only for the slice that is shown: a Paginator takes it as it takes a list, and a page
    of 200 of 100,000 problems renders 200."""

    def __init__(self, report: dict | None) -> None:
        report = report or {}
        self.problems = report.get("problems") or []
        self.texts = report.get("texts") or []

    def __len__(self) -> int:
        return len(self.problems)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._shown(i) for i in range(*index.indices(len(self.problems)))]
        if index < 0:
            index += len(self.problems)
        if not 0 <= index < len(self.problems):
            raise IndexError(index)
        return self._shown(index)

    def _shown(self, index: int) -> dict:
        problem = self.problems[index]
        stored = self.texts[index] if index < len(self.texts) else problem.get("message", "")
        return {
            **problem,
            "text": localized(text_from_data(stored)),
            "name": problem_name(problem.get("code", "")),
        }
