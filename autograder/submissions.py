'''Submissions made from the solutions: complete ones, and ones with realistic changes.

A change lives in a small Python file, one per submission:

    autograder/mutants/01_minimax/swapped_labels.py     # a realistic wrong answer
    autograder/variants/01_minimax/concatenated.py      # a correct answer written another way

    """Scores real samples as fake and fakes as real."""
    # fails: test_d_loss_values

    # %% d_loss
    def d_loss(real_logits, fake_logits):
        ...

Each `# %% <grade_id>` section replaces the student's answer in that solution cell; every other
answer is the solution's own, so a submission differs from a perfect one in exactly the named
cells. A mutant names the tests it must fail (`# fails:`); a variant must get full marks.
'''

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
CELL = re.compile(r"^# %% (\S+)\s*$", re.MULTILINE)
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass
class Change:
    name: str
    about: str  # one line: what the submission does
    fails: list[str]  # the tests it must lose points on (empty for a variant)
    cells: dict[str, str]  # grade_id -> the student's answer

    @classmethod
    def read(cls, path: Path) -> Change:
        text = path.read_text()
        parts = CELL.split(text)
        header, cells = parts[0], dict(zip(parts[1::2], (s.strip("\n") for s in parts[2::2])))
        if not cells:
            raise ValueError(f"{path}: expected at least one '# %% <grade_id>' section")
        about = (ast.get_docstring(ast.parse(header)) or "").strip()
        if not about:
            raise ValueError(f"{path}: expected a docstring saying what the submission does")
        fails = [
            t.strip()
            for m in re.findall(r"^# fails:(.*)$", header, re.MULTILINE)
            for t in m.split(",")
        ]
        return cls(path.stem, about, [t for t in fails if t], cells)


def changes(kind: str, lesson: str) -> list[Change]:
    """The mutants or variants of one lesson."""
    folder = HERE / kind / lesson
    return [Change.read(p) for p in sorted(folder.glob("*.py"))] if folder.exists() else []


def answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> what a student who solved it would have written (the solution, no markers)."""
    return {
        c.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in c.source.splitlines() if line.strip() not in MARKERS
        )
        for c in solution.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def fill(student: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the student notebook with these answers in its solution cells."""
    nb = copy.deepcopy(student)
    ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    unknown = set(answers) - ids
    if unknown:
        raise KeyError(f"no solution cell with grade_id {sorted(unknown)} in the notebook")
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata["nbgrader"].get("solution"):
            cell.source = answers[grade_id]
    return nb


def submission(
    student: nbformat.NotebookNode, solution: nbformat.NotebookNode, change: Change | None = None
):
    """The student notebook answered with the solutions, then with the change's cells."""
    filled = answers(solution)
    if change is not None:
        missing = set(change.cells) - set(filled)
        if missing:
            raise KeyError(f"{change.name}: no solution cell {sorted(missing)} in the lesson")
        filled |= change.cells
    return fill(student, filled)


def graded_part(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook up to its last graded cell: the cells after it (training, plots, widgets)
    cannot change a grade, so a submission without them gets the same scores, sooner."""
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    short = copy.deepcopy(nb)
    short.cells = short.cells[: last + 1]
    return short


def lesson_class(
    lesson: str,
    student: nbformat.NotebookNode,
    solution: nbformat.NotebookNode,
    size: int = 0,
    short_mutants: bool = False,
) -> dict[str, nbformat.NotebookNode]:
    """A class for one lesson: the solution, a blank notebook, every mutant and variant, then
    copies of those (`mutant-x--copy1`, ...) until there are `size` students.

    With `short_mutants`, each mutant is only its `graded_part`, which is all its scores depend
    on; the solution, the blank notebook and the variants are always whole."""
    shorten = graded_part if short_mutants else lambda nb: nb
    subs = {"solution": submission(student, solution), "blank": student}
    subs |= {
        f"mutant-{m.name}": shorten(submission(student, solution, m))
        for m in changes("mutants", lesson)
    }
    subs |= {
        f"variant-{v.name}": submission(student, solution, v) for v in changes("variants", lesson)
    }
    originals = list(subs)
    for i in range(len(originals), size):
        original = originals[i % len(originals)]
        subs[f"{original}--copy{i // len(originals)}"] = subs[original]
    return subs
