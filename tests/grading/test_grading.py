"""Real nbgrader on every lesson: solutions get full marks, blank lessons get zero and crash nothing
else, each mutant loses points on the test it names, each variant gets full marks.

Mutants are graded on the lesson up to its last graded cell (`submissions.graded_part`): the
training after it cannot change their scores, and skipping it saves about a third of the time.

One autograde run per lesson grades all of its submissions in a temporary course directory.
Lesson 01 instead goes through the instructors' grader (`make grade`): a class of 24
submissions graded in parallel, each in its own sandboxed course copy.
"""

import csv
from pathlib import Path

import nbformat
import pytest

from autograder import course
from autograder.grade import Grader, Limits
from autograder.submissions import answers, changes, graded_part, lesson_class, submission

ROOT = Path(__file__).resolve().parents[2]
MINIMUM = {  # lessons 01 and later: at least 6 realistic wrong answers and 3 correct variants
    name: {"mutants": 6, "variants": 3} for name in course.lesson_names() if name >= "01"
}


def test_every_lesson_has_grading_tests():
    assert {cls.lesson for cls in GradingSuite.__subclasses__()} == set(course.lesson_names())


@pytest.mark.parametrize("name", course.lesson_names())
def test_graded_part_keeps_every_graded_cell_and_ends_on_one(name):
    solution = course.read(ROOT / "solutions" / name / f"{name}.ipynb")
    short = graded_part(solution)
    graded = lambda nb: [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded(solution) and graded(short) == graded(solution)
    assert short.cells[-1] == graded(solution)[-1] and len(short.cells) < len(solution.cells)


@pytest.mark.slow
def test_a_mutant_scores_the_same_whole_or_graded_part_only():
    name = "00_welcome"  # the quickest lesson to grade
    solution = course.read(ROOT / "solutions" / name / f"{name}.ipynb")
    mutant = changes("mutants", name)[0]
    with course.course_dir([name]) as root:
        student = course.read(course.generate(root, name) / f"{name}.ipynb")
        whole = submission(student, solution, mutant)
        results = course.autograde(root, name, {"whole": whole, "short": graded_part(whole)})
    assert results["whole"]["scores"] == results["short"]["scores"]
    assert any(s < m for s, m in results["short"]["scores"].values()), "the mutant lost no points"


def grade_class(name: str, subs: dict, folder: Path) -> dict[str, dict]:
    """Grade `subs` with the batch grader, as `make grade` would."""
    for student, nb in subs.items():
        nbformat.write(nb, folder / "submissions" / f"{student}.ipynb")
    grader = Grader(name, folder / "out", jobs=2, limits=Limits())
    return {
        r.student: {
            "scores": {t: tuple(s) for t, s in r.tests.items()},
            "status": r.status,
            "notebook": course.read(folder / "out" / "autograded" / f"{r.student}.ipynb"),
        }
        for r in grader.run(folder / "submissions", log=lambda line: None)
    }


class GradingSuite:
    lesson: str
    batch = 0  # > 0: graded as a class of this many students by the batch grader

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, tmp_path_factory):
        name = cls.lesson
        solution = course.read(ROOT / "solutions" / name / f"{name}.ipynb")
        mutants, variants = changes("mutants", name), changes("variants", name)
        with course.course_dir([name]) as root:
            student = course.read(course.generate(root, name) / f"{name}.ipynb")
            subs = lesson_class(name, student, solution, cls.batch, short_mutants=True)
            if cls.batch:
                folder = tmp_path_factory.mktemp(name)
                (folder / "submissions").mkdir()
                results = grade_class(name, subs, folder)
            else:
                folder, results = None, course.autograde(root, name, subs)
        return {"results": results, "mutants": mutants, "variants": variants, "solution": solution,
                "out": folder and folder / "out"}  # fmt: skip

    def solution_scores(self, graded):
        return graded["results"]["solution"]["scores"]

    def test_solution_gets_full_marks(self, graded):
        scores = self.solution_scores(graded)
        assert scores, "the solution was not graded"
        lost = {t: s for t, s in scores.items() if s[0] != s[1]}
        assert not lost, f"the solution lost points on {lost}"

    def test_blank_lesson_scores_zero_and_crashes_nothing_else(self, graded):
        blank = graded["results"]["blank"]
        assert set(blank["scores"]) == set(self.solution_scores(graded))
        assert all(score == 0 for score, _ in blank["scores"].values()), blank["scores"]
        crashed = []
        for cell in blank["notebook"].cells:
            meta = cell.metadata.get("nbgrader", {})
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if errors and not (meta.get("grade") or meta.get("solution")):
                crashed.append(f"{cell.source[:60]!r}: {errors[0].ename}: {errors[0].evalue}")
        assert not crashed, (
            "cells outside the exercises crashed on the blank lesson:\n" + "\n".join(crashed)
        )

    def test_enough_mutants_and_variants(self, graded):
        need = MINIMUM.get(self.lesson, {"mutants": 1, "variants": 1})
        assert len(graded["mutants"]) >= need["mutants"]
        assert len(graded["variants"]) >= need["variants"]
        tests = set(self.solution_scores(graded))
        for mutant in graded["mutants"]:
            assert mutant.fails, f"mutant {mutant.name} names no test it must fail"
            assert set(mutant.fails) <= tests, (
                f"mutant {mutant.name} names unknown tests {mutant.fails}"
            )
        for variant in graded["variants"]:
            assert not variant.fails, f"variant {variant.name} must not fail anything"
        exercises = set(answers(graded["solution"]))
        for change in graded["mutants"] + graded["variants"]:
            assert set(change.cells) <= exercises

    def test_each_mutant_loses_points_on_its_test(self, graded):
        wrongly_passed = []
        for mutant in graded["mutants"]:
            scores = graded["results"][f"mutant-{mutant.name}"]["scores"]
            assert scores, f"mutant {mutant.name} was not graded"
            for test in mutant.fails:
                if scores[test][0] >= scores[test][1]:
                    wrongly_passed.append(f"{mutant.name} ({mutant.about}) passed {test}")
        assert not wrongly_passed, "\n".join(wrongly_passed)

    def test_each_variant_gets_full_marks(self, graded):
        lost = []
        for variant in graded["variants"]:
            scores = graded["results"][f"variant-{variant.name}"]["scores"]
            assert scores, f"variant {variant.name} was not graded"
            lost += [
                f"{variant.name} ({variant.about}) lost points on {t}"
                for t, (s, m) in scores.items()
                if s < m
            ]
        assert not lost, "\n".join(lost)


@pytest.mark.slow
class TestWelcome(GradingSuite):
    lesson = "00_welcome"


@pytest.mark.slow
class TestMinimax(GradingSuite):
    """Also the batch grader's class-sized run: 24 students (every mutant and variant, the
    solution, a blank notebook and copies of them), two at a time."""

    lesson = "01_minimax"
    batch = 24

    def test_a_class_is_graded_and_copies_agree(self, graded):
        results = graded["results"]
        assert len(results) == self.batch
        assert {r["status"] for r in results.values()} == {"graded"}
        for student, result in results.items():
            original = student.split("--copy")[0]
            assert result["scores"] == results[original]["scores"], (
                f"{student} is a copy of {original} but was graded differently"
            )

    def test_grades_csv_has_a_row_per_student(self, graded):
        out = graded["out"]
        with open(out / "grades.csv") as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert set(rows) == set(graded["results"])
        assert rows["solution"]["score"] == rows["solution"]["max_score"] == "15"
        assert rows["blank"]["score"] == "0"
        assert (out / "report.html").exists() and (out / "report.png").stat().st_size > 10_000


@pytest.mark.slow
class TestFirstGan(GradingSuite):
    lesson = "02_first_gan"


@pytest.mark.slow
class TestDCGAN(GradingSuite):
    lesson = "03_dcgan"


@pytest.mark.slow
class TestEvaluating(GradingSuite):
    lesson = "04_evaluating"


@pytest.mark.slow
class TestConditional(GradingSuite):
    lesson = "05_conditional"


@pytest.mark.slow
class TestInfoGAN(GradingSuite):
    lesson = "06_infogan"


@pytest.mark.slow
class TestWasserstein(GradingSuite):
    lesson = "07_wasserstein"
