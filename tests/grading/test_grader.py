"""The instructors' grader (`make grade`): every status, exact scores, the sandbox, the outputs,
interrupting and re-running. A class of 24 lesson-01 students is graded in test_grading.py.

The class here takes lesson 00 (one exercise, two points), so each submission is quick.
"""

import csv
import hashlib
import html
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import course, inbox, sandbox
from autograder.grade import Grader, Limits, main
from autograder.submissions import answers, fill

ROOT = Path(__file__).resolve().parents[2]
LESSON = "00_welcome"
LIMITS = Limits(memory_mb=2048, cpu_seconds=120, cell_seconds=15, wall_seconds=180)
isolated = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap (bwrap) is not installed")

# What a hostile student tries from inside their answer cell; it prints what it managed.
SNOOP = """
import os, socket, sys
seen, wrote = [], []
for path in [{root!r} + "/solutions", {root!r} + "/autograder", {submissions!r}, {out!r}]:
    try:
        seen.append((path, os.listdir(path)[:3]))
    except OSError:
        pass
for top, dirs, files in os.walk("/"):
    if top.startswith(("/proc", "/sys", "/dev", "/usr", "/etc", sys.prefix, sys.base_prefix)):
        dirs[:] = []
        continue
    seen += [os.path.join(top, f) for f in files if f.endswith((".db", ".ipynb", ".csv")) and top != os.getcwd()]
for path in [{submissions!r} + "/alice.ipynb", {out!r} + "/grades.csv", "/tmp/../gradebook.db"]:
    try:
        with open(path, "a") as f:
            f.write("hacked")
        wrote.append(path)
    except OSError:
        pass
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    network = "open"
except OSError:
    network = "blocked"
print("SNOOP SAW", seen)
print("SNOOP WROTE", wrote)
print("SNOOP NETWORK", network)
"""
SABOTEUR = "import os, signal, shutil\nshutil.rmtree({submissions!r}, ignore_errors=True)\nos.kill(-1, signal.SIGKILL)"


def hidden_code(lesson: str) -> list[str]:
    """The lines of a lesson's hidden tests."""
    solution = course.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    regions = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", "\n".join(c.source for c in solution.cells), re.S)  # fmt: skip
    return [
        line.strip() for region in regions for line in region.splitlines() if len(line.strip()) > 12
    ]


def visible_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


@pytest.fixture(scope="module")
def lesson():
    solution = course.read(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
    student = course.read(ROOT / "lessons" / LESSON / f"{LESSON}.ipynb")
    return student, answers(solution)["to_tanh_range"]


def write_class(folder: Path, out: Path, student, answer) -> dict[str, tuple[float, str]]:
    """Write one submission per status; return student -> (expected score, expected status)."""

    def answered(code=answer, nb=student):
        return fill(nb, {"to_tanh_range": code})

    def put(relative, nb):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)

    put("alice.ipynb", answered())
    put("bob/00_welcome.ipynb", student)  # nothing answered
    put("kim/00_welcome/00_welcome.ipynb", answered())  # nbgrader's and LMS exports' layout
    put("carol/Untitled.ipynb", answered())
    (folder / "dave.ipynb").write_text('{"cells": [')  # cut off mid-upload
    (folder / "erin").mkdir()
    (folder / "erin" / "notes.txt").write_text("I could not get it to run")
    put("frank.ipynb", answered(answer + "\nhog = bytearray(3 * 2**30)"))  # fine without the limit
    put("gus.ipynb", answered(answer + "\nhog = []\nwhile True:\n    hog.append(bytearray(10**8))"))
    put("gina.ipynb", answered(answer + "\nimport time\nwhile True:\n    time.sleep(0.1)"))
    put("hal.ipynb", answered(answer + "\nimport os\nos._exit(3)"))
    cheat = answered("def to_tanh_range(images):\n    return images")  # wrong, and the test edited
    for cell in cheat.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_to_tanh_range":
            cell.source = "assert True  # passes, I promise"
    put("ivy.ipynb", cheat)
    tidy = answered()
    tidy.cells = [c for c in tidy.cells if c.metadata.get("nbgrader", {}).get("grade") is not True]
    put("jack.ipynb", tidy)  # deleted the test cell
    other = course.read(ROOT / "lessons" / "01_minimax" / "01_minimax.ipynb")
    put("lena.ipynb", other)  # handed in another lesson
    expected = {
        "alice": (2, "graded"),
        "bob": (0, "graded"),
        "kim": (2, "graded"),
        "carol": (2, "renamed"),
        "dave": (0, "malformed"),
        "erin": (0, "missing"),
        "frank": (2, "memory_limit"),
        # Holding what it took, the kernel either survives its MemoryError (the rest is graded)
        # or dies at a later allocation (nbgrader keeps no grades): which one depends on timing.
        "gus": ((0, 2), "memory_limit"),
        "gina": (2, "timed_out"),
        "hal": (0, "kernel_crashed"),
        "ivy": (0, "tests_restored"),
        "jack": (2, "tests_restored"),
        "lena": (0, "malformed"),
    }
    if sandbox.available():  # unsandboxed, these two would do real harm
        paths = dict(root=str(ROOT), submissions=str(folder), out=str(out))
        put("mallory.ipynb", answered(answer + "\n" + SNOOP.format(**paths)))
        put("oscar.ipynb", answered(answer + "\n" + SABOTEUR.format(**paths)))
        expected |= {"mallory": (2, "graded"), "oscar": (2, "graded")}  # killed nothing
    return expected


def matches(got, expected) -> bool:
    score, status = expected
    return (
        got is not None
        and got[1] == status
        and got[0] in (score if isinstance(score, tuple) else (score,))
    )


def digests(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def graded(lesson, tmp_path_factory):
    folder, out = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("grades")
    expected = write_class(folder, out, *lesson)
    before = digests(folder)
    began = time.perf_counter()
    results = Grader(LESSON, out, jobs=2, limits=LIMITS).run(folder, log=lambda line: None)
    return {
        "results": {r.student: r for r in results},
        "expected": expected,
        "folder": folder,
        "out": out,
        "before": before,
        "seconds": time.perf_counter() - began,
    }


@pytest.mark.slow
class TestClass:
    def test_every_student_gets_the_expected_score_and_status(self, graded):
        got = {s: (r.score, r.status) for s, r in graded["results"].items()}
        wrong = {s: f"expected {graded['expected'][s]}, got {got.get(s)}" for s in graded["expected"] if not matches(got.get(s), graded["expected"][s])}  # fmt: skip
        assert not wrong, "\n".join(f"{s}: {w}: {graded['results'][s].message if s in graded['results'] else ''}" for s, w in wrong.items())  # fmt: skip
        assert set(got) == set(graded["expected"])

    def test_messages_say_what_happened(self, graded):
        messages = {s: r.message for s, r in graded["results"].items()}
        assert "Untitled.ipynb" in messages["carol"] and "00_welcome.ipynb" in messages["carol"]
        assert "not a readable notebook" in messages["dave"]
        assert "no 00_welcome.ipynb in erin/" in messages["erin"]
        assert "memory" in messages["frank"]
        assert "time limit" in messages["gina"]
        assert "edited test_to_tanh_range" in messages["ivy"]
        assert "deleted test_to_tanh_range" in messages["jack"]
        assert "another lesson" in messages["lena"]
        assert "kernel died" in messages["hal"]

    def test_grades_csv(self, graded):
        with open(graded["out"] / "grades.csv") as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert set(rows) == set(graded["expected"])
        for student, expected in graded["expected"].items():
            row = rows[student]
            assert matches((float(row["score"]), row["status"]), expected), (student, row)
            assert row["max_score"] == "2" and row["test_to_tanh_range"] == row["score"]

    def test_feedback_for_everyone_without_hidden_tests(self, graded):
        hidden = hidden_code(LESSON)
        assert hidden, "lesson 00 has hidden tests to hide"
        for student in graded["expected"]:
            page = graded["out"] / "feedback" / f"{student}.html"
            assert page.exists(), f"no feedback for {student}"
            text = visible_text(page)
            leaked = [line for line in hidden if line in text]
            assert not leaked, f"{student}'s feedback shows hidden test code: {leaked}"
        bob = visible_text(graded["out"] / "feedback" / "bob.html")
        assert "not implemented yet" in bob, "the failing test's message belongs in the feedback"
        assert "not a readable notebook" in visible_text(graded["out"] / "feedback" / "dave.html")

    def test_class_report(self, graded):
        page = (graded["out"] / "report.html").read_text()
        assert "test_to_tanh_range" in page and f"{len(graded['expected'])} students" in page
        assert (graded["out"] / "report.png").stat().st_size > 10_000

    @isolated
    def test_student_code_cannot_see_or_touch_anything_else(self, graded):
        outputs = "".join(
            o.get("text", "")
            for c in course.read(graded["out"] / "autograded" / "mallory.ipynb").cells
            for o in c.get("outputs", [])
        )
        assert "SNOOP SAW []" in outputs, outputs
        assert "SNOOP WROTE []" in outputs, outputs
        assert "SNOOP NETWORK blocked" in outputs, outputs

    @isolated
    def test_a_saboteur_costs_nobody_else_anything(self, graded):
        assert digests(graded["folder"]) == graded["before"], "a submission was changed or deleted"
        assert graded["results"]["alice"].score == 2 and graded["results"]["kim"].score == 2

    def test_rerun_keeps_everyone_and_regrades_a_changed_notebook(self, graded, lesson):
        folder, out = graded["folder"], graded["out"]
        student, answer = lesson
        before = json.loads((out / "results" / "alice.json").read_text())
        nbformat.write(
            fill(student, {"to_tanh_range": answer}), folder / "bob" / "00_welcome.ipynb"
        )
        lines = []
        results = Grader(LESSON, out, jobs=2, limits=LIMITS).run(folder, log=lines.append)
        assert (
            f"{len(graded['expected']) - 1} already graded, 1 to grade" in lines[0]
        )  # bob changed
        got = {r.student: (r.score, r.status) for r in results}
        assert got["bob"] == (2, "graded")
        assert json.loads((out / "results" / "alice.json").read_text()) == before


def ctrl_c_reaches_it():
    """The grader as a terminal starts it, with SIGINT's default action. A shell starts background
    commands with SIGINT ignored, and Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupted_batch_keeps_the_graded_and_goes_on_and_regrade_starts_over(lesson, tmp_path):
    student, answer = lesson
    folder, out = (
        tmp_path / "submissions",
        tmp_path / "submissions" / "grades",
    )  # out inside: ignored
    folder.mkdir()
    for name in ("ann", "ben"):
        nbformat.write(fill(student, {"to_tanh_range": answer}), folder / f"{name}.ipynb")
    cmd = [sys.executable, "-m", "autograder.grade", LESSON, str(folder), "--out", str(out), "--jobs", "1"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=ctrl_c_reaches_it)  # fmt: skip
    for line in proc.stdout:
        if line.startswith("[1/2]"):
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=60)[0]
    assert proc.returncode == 130, rest
    assert "run the same command to go on" in rest
    assert len(list((out / "results").glob("*.json"))) == 1
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 already graded, 1 to grade" in again.stdout
    with open(out / "grades.csv") as f:
        assert [(r["student"], r["score"]) for r in csv.DictReader(f)] == [("ann", "2"), ("ben", "2")]  # fmt: skip
    regrade = subprocess.run([*cmd, "--regrade"], cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert regrade.returncode == 0 and "0 already graded, 2 to grade" in regrade.stdout, (
        regrade.stdout
    )


def test_every_student_is_found_once(tmp_path):
    for name in ("a b.ipynb", "a_b.ipynb", ".hidden.ipynb", "notes.txt"):
        (tmp_path / name).write_text("{}")
    for path in ("c/x.ipynb", "c/y.ipynb", "d/deep/00_welcome.ipynb", "d/Untitled.ipynb"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}")
    found = inbox.find(tmp_path, LESSON)
    assert found == {
        "a_b": (tmp_path / "a b.ipynb", ""),
        "a_b-2": (tmp_path / "a_b.ipynb", ""),  # two names that clash once safe: neither is lost
        "c": (None, "no 00_welcome.ipynb in c/ (x.ipynb, y.ipynb)"),
        "d": (tmp_path / "d/deep/00_welcome.ipynb", ""),  # the lesson's name wins
    }


def test_bad_arguments_exit_2_with_a_message(tmp_path, capsys):
    with pytest.raises(SystemExit) as bad_lesson:
        main(["99_nope", str(tmp_path)])
    assert bad_lesson.value.code == 2 and "no lesson '99_nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as no_folder:
        main([LESSON, str(tmp_path / "absent")])
    assert (
        no_folder.value.code == 2 and "expected a folder of submissions" in capsys.readouterr().err
    )


@isolated
class TestSandbox:
    """The kernel's sandbox on its own: what it hides, and its limits."""

    def run(self, code, tmp_path, memory=1024, cpu=30):
        script = Path(sandbox.__file__)
        cmd = [sys.executable, str(script), "--memory", str(memory), "--cpu", str(cpu), "--", sys.executable, "-c", code, "-f", str(tmp_path / "kernel.json")]  # fmt: skip
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    def test_hides_the_hidden_tests_and_the_network(self, tmp_path):
        probe = f"import os, socket\nprint(os.path.exists({str(ROOT / 'solutions')!r}), os.path.exists({str(ROOT / 'gankit')!r}))\nsocket.create_connection(('1.1.1.1', 53), timeout=3)"  # fmt: skip
        done = self.run(probe, tmp_path)
        assert done.stdout.split() == ["False", "True"]
        assert "OSError" in done.stderr or "unreachable" in done.stderr

    def test_refuses_to_open_a_shared_folder_to_the_kernel(self, tmp_path):
        cmd = [sys.executable, str(Path(sandbox.__file__)), "--memory", "512", "--cpu", "5", "--", "true", "-f", "/tmp/kernel.json"]  # fmt: skip
        done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and "needs a folder of its own" in done.stderr

    def test_memory_bomb_gets_a_memory_error(self, tmp_path):
        done = self.run("x = bytearray(2 * 2**30)", tmp_path, memory=512)
        assert "MemoryError" in done.stderr

    def test_cpu_time_limit_ends_a_busy_loop(self, tmp_path):
        done = self.run("while True: pass", tmp_path, cpu=2)
        assert done.returncode != 0 and done.returncode in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGKILL)  # fmt: skip
