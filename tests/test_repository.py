"""The repository alone is the project: whoever clones it has everything the tests, the
documentation and the application need, and no file names a place outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Made, not part of the project: the virtual environment, data, caches (and every other
# folder whose name starts with a dot but .ci).
NOT_OURS = {"var", "__pycache__", "build"}
# A relative path that climbs out of the repository (to a folder beside the checkout), a
# sibling folder reached through a parent, or the workplace's own folders.
CLIMB = re.compile(r"((?:\.\./)+)([A-Za-z][\w.-]*)")
OUTSIDE = re.compile(r"\.parent\s*/\s*[\"']shared[\"']|/work/")


def _reaches_outside(path: Path, line: str) -> bool:
    if OUTSIDE.search(line):
        return True
    for ups, name in CLIMB.findall(line):
        target = (path.parent / ups / name).resolve()
        if not target.is_relative_to(ROOT):
            return True
    return False


def _project_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        folders = path.relative_to(ROOT).parts[:-1]
        if not path.is_file() or set(folders) & NOT_OURS or path == Path(__file__):
            continue
        if path.name == ".git":  # a git worktree's link to its repository, not ours
            continue
        if any(f.endswith(".egg-info") or (f.startswith(".") and f != ".ci") for f in folders):
            continue
        files.append(path)
    return files


def test_no_file_of_the_project_names_a_path_outside_it() -> None:
    found = []
    for path in _project_files():
        if path.suffix in {".xlsx", ".mo", ".png", ".pdf"} or "corpora" in path.parts:
            continue  # binary, or text of others kept as published
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if path.suffix == ".js" and len(line) > 500:
                continue  # shipped minified libraries
            if _reaches_outside(path, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_public_corpora_are_in_the_repository_with_their_licences() -> None:
    corpora = ROOT / "tests" / "corpora"
    assert (corpora / "README.md").is_file()
    for name in ("csv-spectrum", "blns"):
        assert (corpora / name / "LICENSE").is_file(), name
    assert len(list((corpora / "csv-spectrum" / "csvs").glob("*.csv"))) == 12
    assert (corpora / "blns" / "blns.json").is_file()


def test_the_readme_links_to_documents_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", readme)
    assert links, "the README links to its documents"
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == []
