"""The lesson notebooks: generated from solutions/, stored clean, laid out by the contract, and they run."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.course import lesson_names, release
from gankit import course

ROOT = Path(__file__).resolve().parents[2]
LESSONS = lesson_names(ROOT / "solutions")
SECTIONS = ["Goals and time", "Theory", "Exercises", "Train", "Results", "Explore",
            "Check your understanding", "Further reading"]  # fmt: skip


def notebook(kind: str, name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / kind / name / f"{name}.ipynb", as_version=4)


def test_every_lesson_has_a_student_version():
    assert LESSONS, "no lessons found in solutions/"
    assert lesson_names(ROOT / "lessons") == LESSONS
    for name in LESSONS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", name), name


def test_lessons_are_what_release_generates(tmp_path):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    (tmp_path / "lessons").mkdir()
    written = release(tmp_path / "solutions", tmp_path / "lessons")
    assert len(written) == len(LESSONS)
    for name in LESSONS:
        generated = json.loads((tmp_path / "lessons" / name / f"{name}.ipynb").read_text())
        committed = json.loads((ROOT / "lessons" / name / f"{name}.ipynb").read_text())
        assert committed == generated, f"lessons/{name} is stale: run `make release` and commit it"


@pytest.mark.parametrize("kind", ["solutions", "lessons"])
@pytest.mark.parametrize("name", LESSONS)
def test_notebooks_are_stored_without_outputs(kind, name):
    for cell in notebook(kind, name).cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{kind}/{name} has outputs: run `make strip`"
            )


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_follows_the_contract(name):
    nb = notebook("solutions", name)
    headings = [line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]  # fmt: skip
    found = [h for h in headings if h in SECTIONS]
    assert found == SECTIONS, f"{name}: expected sections {SECTIONS} in order, got {found}"

    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{name}: expected one cell tagged 'parameters'"
    namespace = {}
    exec(params[0].source, namespace)
    assert namespace["PROFILE"] == "laptop"
    assert set(namespace["KNOBS"]) == set(course.PROFILES)
    assert all(
        namespace["KNOBS"][p].keys() == namespace["KNOBS"]["ci"].keys() for p in course.PROFILES
    )
    assert f'course.start("{name}"' in "".join(c.source for c in nb.cells), (
        f"{name} never calls course.start"
    )

    graded = [
        c.metadata["nbgrader"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
    ]
    assert graded, f"{name} has no graded test cell"
    assert all(g["points"] > 0 for g in graded)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), f"{name}: grade_ids must be unique"


@pytest.mark.slow
def test_solutions_run_in_the_ci_profile(tmp_path):
    """`make lessons` for the ci profile: every notebook runs and records its numbers."""
    # One at a time: the grading tests start kernels on the other worker meanwhile.
    results, ok = course.run_lessons("ci", build=tmp_path, solutions=ROOT / "solutions", jobs=1)
    stalled = [r["lesson"][:2] for r in results if "wall-clock" in r.get("error", "")]
    if stalled:  # a kernel that never answered (kernels started at once can race for a port)
        print(f"{stalled} went over the wall-clock limit; running them once more")
        again, _ = course.run_lessons("ci", stalled, build=tmp_path, solutions=ROOT / "solutions")
        results = [next((a for a in again if a["lesson"] == r["lesson"]), r) for r in results]
        ok = not any("error" in r for r in results)
    print(course.format_table(results))
    assert ok, course.format_table(results)
    for result in results:
        saved = json.loads((tmp_path / "metrics" / f"{result['lesson']}.json").read_text())
        assert saved["profile"] == "ci" and saved["seconds"] > 0
        assert set(saved) == {"lesson", "profile", "seconds", "metrics", "targets"}
        assert all(isinstance(v, int | float) for v in saved["metrics"].values())
        executed = nbformat.read(
            tmp_path / "lessons" / "ci" / f"{result['lesson']}.ipynb", as_version=4
        )
        images = sum(
            "image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", [])
        )
        assert images > 0, f"{result['lesson']} drew no figure"
