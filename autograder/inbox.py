"""What students handed in: each student's notebook in a folder of submissions, and whether it
is the lesson's notebook with its tests intact."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat


def student_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", name).strip("._") or "student"


def find(folder: Path, lesson: str, out: Path | None = None) -> dict[str, tuple[Path | None, str]]:
    """student -> (their notebook or None, a note): `alice.ipynb` or `alice/.../<lesson>.ipynb`.

    Hidden entries and the grader's own output folder (`out`, if it lies inside) are skipped.
    Names that clash once made safe for paths (`a b`, `a_b`) get a suffix: `a_b`, `a_b-2`.
    """
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or (out and entry.resolve() == out.resolve()):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            name, handed_in = entry.stem, (entry, "")
        elif entry.is_dir():
            name, handed_in = entry.name, _in_folder(entry, lesson)
        else:
            continue
        student, n = student_id(name), 1
        while student in found:
            n += 1
            student = f"{student_id(name)}-{n}"
        found[student] = handed_in
    return found


def _in_folder(folder: Path, lesson: str) -> tuple[Path | None, str]:
    notebooks = sorted(
        (p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts),
        key=lambda p: (len(p.parts), str(p)),
    )
    named = [p for p in notebooks if p.name == f"{lesson}.ipynb"]
    if named:
        return named[0], ""
    if len(notebooks) == 1:
        return notebooks[0], "renamed"
    others = ", ".join(p.name for p in notebooks) or "no notebook at all"
    return None, f"no {lesson}.ipynb in {folder.name}/ ({others})"


def test_cells(nb) -> dict[str, str]:
    """grade_id -> source of the cells that are tests (graded, not answers)."""
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source.strip()
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata["nbgrader"].get("solution")
    }


def grade_ids(nb) -> set[str]:
    return {
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if "grade_id" in c.metadata.get("nbgrader", {})
    }


def check(
    path: Path, source: str, release, lesson: str
) -> tuple[nbformat.NotebookNode | None, str]:
    """Read a student's notebook: (notebook, notes on edited or deleted tests), or (None, why not)."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # noqa: BLE001 (any reason a notebook cannot be read)
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        return None, f"{source} is not a readable notebook ({type(err).__name__}: {reason})"
    if not grade_ids(release) & grade_ids(nb):
        return None, f"{source} has none of {lesson}'s exercise or test cells (another lesson's notebook?)"  # fmt: skip
    expected, given = test_cells(release), test_cells(nb)
    deleted = [t for t in expected if t not in given]
    edited = [t for t in expected if t in given and given[t] != expected[t]]
    changes = [f"{what} {', '.join(ids)}" for what, ids in (("deleted", deleted), ("edited", edited)) if ids]  # fmt: skip
    return (
        nb,
        f"test cells {' and '.join(changes)}: restored from the lesson and graded"
        if changes
        else "",
    )
