"""A throwaway nbgrader course directory: release lessons and autograde submissions with real nbgrader.

    python -m autograder.course release        # regenerate lessons/ from solutions/ (make release)

The course directory follows nbgrader's layout (`source/`, `release/`, `submitted/`,
`autograded/`, `gradebook.db`) and is built in a temporary folder, so the repository never
holds a gradebook and every run starts clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def lesson_names(solutions: Path = ROOT / "solutions") -> list[str]:
    return sorted(p.name for p in solutions.iterdir() if p.is_dir() and p.name[:2].isdigit())


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader command line in `course`, with this Python's bin/ on PATH (for alembic)."""
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    env.pop("MPLBACKEND", None)
    cmd = [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"]
    proc = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True)
    return proc


@contextmanager
def course_dir(lessons: list[str], solutions: Path = ROOT / "solutions"):
    """A fresh nbgrader course with the given lessons as assignment sources."""
    with tempfile.TemporaryDirectory(prefix="gankit-course-") as tmp:
        course = Path(tmp)
        shutil.copy(CONFIG, course / "nbgrader_config.py")
        for name in lessons:
            shutil.copytree(solutions / name, course / "source" / name,
                            ignore=shutil.ignore_patterns("build", ".ipynb_checkpoints"))  # fmt: skip
        yield course


def generate(course: Path, name: str) -> Path:
    """nbgrader generate_assignment: the student version of one lesson, in `release/`."""
    proc = nbgrader(course, "generate_assignment", name, "--force")
    if proc.returncode:
        raise RuntimeError(
            f"nbgrader generate_assignment {name} failed:\n{proc.stdout}{proc.stderr}"
        )
    return course / "release" / name


def release(solutions: Path = ROOT / "solutions", lessons: Path = ROOT / "lessons") -> list[Path]:
    """Regenerate every `lessons/NN_slug/` from `solutions/NN_slug/`; returns the notebooks written."""
    names = lesson_names(solutions)
    written = []
    with course_dir(names, solutions) as course:
        for name in names:
            released = generate(course, name)
            shutil.rmtree(lessons / name, ignore_errors=True)
            shutil.copytree(released, lessons / name)
            written += sorted((lessons / name).glob("*.ipynb"))
    for stale in set(p.name for p in lessons.iterdir() if p.is_dir()) - set(names):
        shutil.rmtree(lessons / stale)
    return written


def autograde(
    course: Path, name: str, submissions: dict[str, nbformat.NotebookNode]
) -> dict[str, dict]:
    """Autograde each student's notebook against the hidden tests; return per-test scores.

    `generate(course, name)` must have run first. Returns, per student,
    `{"scores": {test_id: (score, max_score)}, "notebook": autograded notebook or None}`.
    A submission nbgrader could not process gets no scores (an empty dict).
    """
    from nbgrader.api import Gradebook, MissingEntry

    for student, nb in submissions.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    nbgrader(course, "autograde", name, "--force")  # exits 1 if any one submission failed
    results = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            try:
                graded = gb.find_submission_notebook(name, name, student)
                scores = {g.name: (g.score, g.max_score) for g in graded.grades}
            except MissingEntry:
                scores = {}
            path = course / "autograded" / student / name / f"{name}.ipynb"
            results[student] = {"scores": scores, "notebook": read(path) if path.exists() else None}
    return results


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def main(argv: list[str]) -> int:
    if argv != ["release"]:
        print("usage: python -m autograder.course release", file=sys.stderr)
        return 2
    for nb in release():
        print(f"wrote {nb.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
