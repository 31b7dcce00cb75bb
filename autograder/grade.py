"""Grade a folder of submissions to one lesson: grades, feedback and a class report.

    make grade LESSON=01_minimax SUBMISSIONS=path/to/submissions [JOBS=4] [ARGS=--regrade]
    gankit-grade 01_minimax path/to/submissions [--out DIR] [--jobs N] [--regrade]
    python -m autograder.grade ...    # the same; in Python: Grader(lesson, out, ...).run(folder)

The folder holds one notebook per student (`alice.ipynb`) or one folder per student
(`alice/01_minimax.ipynb`, also `alice/01_minimax/01_minimax.ipynb` as nbgrader and LMS exports
lay it out). Each submission is graded by real nbgrader, with a real gradebook, against the
hidden tests, in its own throwaway copy of the course, several at once, each kernel in a sandbox
under limits (`autograder/sandbox.py`). Written to `--out` (default `build/grades/<lesson>`):

    grades.csv                one row per student: score, max, status, message, points per test
    report.html, report.png   the class: score histogram, pass rate per test, hardest first
    feedback/<student>.html   for the student: the graded notebook without hidden test code
    autograded/<student>.ipynb   for the instructor: the graded notebook, hidden tests included
    results/<student>.json    one record per student

Interrupt it and run it again: students already graded are kept (unless their notebook changed);
`--regrade` grades everyone again. The exit status says whether the batch ran: 0 when every
student got a status, 1 when grading itself failed for someone, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from html import escape
from pathlib import Path

import nbformat

from autograder import course, inbox, report, sandbox

ROOT = course.ROOT
# One per student, worst first (README.md says what each means); the message lists every finding.
STATUSES = ("error", "missing", "malformed", "memory_limit", "timed_out", "kernel_crashed",
            "tests_restored", "renamed", "graded")  # fmt: skip
MEMORY_SIGNS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "can't allocate memory")
GRADER_CONFIG = """
# Added by the grader (autograder/grade.py).
c.Execute.timeout = {cell_timeout}
# Kernels talk to nbgrader over Unix sockets, so a sandboxed kernel needs no network.
c.KernelManager.transport = "ipc"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
"""


@dataclasses.dataclass
class Result:
    student: str
    status: str
    message: str
    score: float = 0.0
    max_score: float = 0.0
    tests: dict = dataclasses.field(default_factory=dict)  # test id -> [score, max]
    source: str = ""  # the notebook graded, relative to the submissions folder
    sha256: str = ""
    seconds: float = 0.0


@dataclasses.dataclass
class Limits:
    memory_mb: int = 4096  # heap and anonymous memory of one kernel
    cpu_seconds: int = 900  # CPU time of one kernel
    cell_seconds: int = 120  # one cell; a longer one is interrupted
    wall_seconds: int = 600  # one submission, start to end


def classify(nb) -> tuple[str, str] | None:
    """The limit a graded notebook ran into, from its error outputs: (status, message) or None."""
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    text = " ".join(f"{o.ename} {o.evalue}" for o in errors)
    if any(sign in text for sign in MEMORY_SIGNS):
        return "memory_limit", "a cell ran out of memory (the kernel's limit)"
    if "CellTimeoutError" in text or "KeyboardInterrupt" in text:
        return "timed_out", "a cell ran past the time limit and was interrupted"
    if "DeadKernelError" in text or "Kernel died" in text:
        return "kernel_crashed", "the kernel died while running a cell"
    return None


class Grader:
    def __init__(
        self, lesson: str, out: Path, *, jobs: int, limits: Limits, isolate: bool | None = None
    ):
        if lesson not in course.lesson_names():
            raise ValueError(f"no lesson {lesson!r}; expected one of {course.lesson_names()}")
        self.lesson, self.out, self.jobs, self.limits = lesson, out, max(1, jobs), limits
        self.isolate = sandbox.available() if isolate is None else isolate
        self.running: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()
        self.solution = course.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
        self.points = {  # test id -> points, in notebook order
            c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in self.solution.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        }

    # --- one student ---------------------------------------------------------------------------

    def grade(self, student: str, path: Path | None, note: str, folder: Path) -> Result:
        began = time.perf_counter()
        for stale in (
            self.out / "feedback" / f"{student}.html",
            self.out / "autograded" / f"{student}.ipynb",
        ):
            stale.unlink(missing_ok=True)
        try:
            result = self._grade(student, path, note, folder)
        except Exception as err:  # noqa: BLE001 (one student's failure must not stop the batch)
            result = Result(student, "error", f"the grader failed: {type(err).__name__}: {err}")
        result.max_score = sum(self.points.values())
        for test, points in self.points.items():
            result.tests.setdefault(test, [0.0, points])
        result.score = sum(score for score, _ in result.tests.values())
        result.seconds = round(time.perf_counter() - began, 1)
        if not (self.out / "feedback" / f"{student}.html").exists():
            self._write_notice(result)
        self._save(result)
        return result

    def _grade(self, student, path, note, folder) -> Result:
        if path is None:
            return Result(student, "missing", note)
        source, digest = str(path.relative_to(folder)), sha256(path)
        nb, restored = inbox.check(path, source, self.release, self.lesson)
        if nb is None:
            return Result(student, "malformed", restored, source=source, sha256=digest)
        notes = [f"graded {source}, which should be named {self.lesson}.ipynb"] if note else []
        notes += [restored] if restored else []
        status, message, tests = self._autograde(student, nb)
        if status == "graded" and restored:
            status = "tests_restored"
        elif status == "graded" and note:
            status = "renamed"
        message = "; ".join(m for m in [message, *notes] if m) or "graded"
        return Result(student, status, message, tests=tests, source=source, sha256=digest)

    def _autograde(self, student: str, nb) -> tuple[str, str, dict]:
        """Run nbgrader autograde and generate_feedback for one student in a throwaway course."""
        with tempfile.TemporaryDirectory(prefix="gankit-grade-") as tmp:
            work = Path(tmp)
            root, runtime = work / "course", work / "runtime"
            shutil.copytree(self.template, root)
            runtime.mkdir()
            submitted = root / "submitted" / student / self.lesson
            submitted.mkdir(parents=True)
            nbformat.write(nb, submitted / f"{self.lesson}.ipynb")
            env = {
                **os.environ,
                "JUPYTER_PATH": str(self.kernels),
                "JUPYTER_RUNTIME_DIR": str(runtime),
                "TMPDIR": str(runtime),
                "OMP_NUM_THREADS": "1",
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            }
            code, log = self._worker(student, root, env, runtime / "kernel")
            graded = root / "autograded" / student / self.lesson / f"{self.lesson}.ipynb"
            memory = any(sign in log for sign in MEMORY_SIGNS)
            if code == "timeout":
                return "timed_out", f"stopped at the time limit for a submission ({self.limits.wall_seconds} s); no grades", {}  # fmt: skip
            if not graded.exists():
                if memory:
                    return "memory_limit", f"the kernel ran out of memory (limit {self.limits.memory_mb} MiB) and died; no grades", {}  # fmt: skip
                if "Kernel died" in log or "DeadKernelError" in log:
                    return "kernel_crashed", "the kernel died while running the notebook (a crash, os._exit, or the CPU-time limit); no grades", {}  # fmt: skip
                return "error", "nbgrader could not grade it: " + _tail(log), {}
            tests = self._read_grades(root, student)
            status, message = classify(course.read(graded)) or ("graded", "")
            (self.out / "autograded").mkdir(parents=True, exist_ok=True)
            shutil.copy(graded, self.out / "autograded" / f"{student}.ipynb")
            html = root / "feedback" / student / self.lesson / f"{self.lesson}.html"
            if html.exists():
                (self.out / "feedback").mkdir(parents=True, exist_ok=True)
                shutil.copy(html, self.out / "feedback" / f"{student}.html")
            return status, message, tests

    def _worker(self, student, root, env, sockets) -> tuple[int | str, str]:
        """Run `autograder.worker` (autograde, then feedback) in `root`: (exit code or "timeout", log)."""
        cmd = [sys.executable, "-m", "autograder.worker", self.lesson, student, str(sockets)]
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)  # fmt: skip
        self.running[student] = proc
        try:
            log, _ = proc.communicate(timeout=self.limits.wall_seconds)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return "timeout", ""
        finally:
            self.running.pop(student, None)
        if self.stopping.is_set():
            raise KeyboardInterrupt
        return proc.returncode, log

    def _read_grades(self, root: Path, student: str) -> dict:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            graded = gb.find_submission_notebook(self.lesson, self.lesson, student)
            return {g.name: [float(g.score or 0), float(g.max_score)] for g in graded.grades}

    def _write_notice(self, result: Result) -> None:
        """Feedback for a student whose notebook produced no graded copy: what happened."""
        (self.out / "feedback").mkdir(parents=True, exist_ok=True)
        (self.out / "feedback" / f"{result.student}.html").write_text(
            f"<!doctype html><meta charset=utf-8><title>{escape(self.lesson)}: {escape(result.student)}</title>"
            f"<h1>{escape(self.lesson)}</h1><p>Score: {result.score:g} / {result.max_score:g}</p>"
            f"<p><b>{escape(result.status.replace('_', ' '))}</b>: {escape(result.message)}</p>\n"
        )

    def _save(self, result: Result) -> None:
        results = self.out / "results"
        results.mkdir(parents=True, exist_ok=True)
        tmp = results / f".{result.student}.json"
        tmp.write_text(json.dumps(dataclasses.asdict(result), indent=1))
        tmp.replace(results / f"{result.student}.json")  # atomic: a record is whole or absent

    def load(self, student: str) -> Result | None:
        path = self.out / "results" / f"{student}.json"
        return Result(**json.loads(path.read_text())) if path.exists() else None

    # --- the batch -----------------------------------------------------------------------------

    def run(self, folder: Path, *, regrade: bool = False, log=print) -> list[Result]:
        found = inbox.find(folder, self.lesson, self.out)
        done, todo = {}, []
        for student, (path, note) in found.items():
            old = None if regrade else self.load(student)
            digest = sha256(path) if path else ""
            if old and old.status != "error" and old.sha256 == digest:
                done[student] = old
            else:
                todo.append((student, path, note))
        isolation = "sandboxed (bubblewrap)" if self.isolate else "NOT sandboxed (bubblewrap unavailable): limits only"  # fmt: skip
        log(f"{self.lesson}: {len(found)} students, {len(done)} already graded, {len(todo)} to grade, "
            f"{self.jobs} at a time, kernels {isolation}")  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="gankit-grader-") as tmp:
            self._prepare(Path(tmp))
            pool = concurrent.futures.ThreadPoolExecutor(self.jobs)
            futures = {pool.submit(self.grade, s, p, n, folder): s for s, p, n in todo}
            try:
                for i, future in enumerate(concurrent.futures.as_completed(futures), 1):
                    r = future.result()
                    done[r.student] = r
                    log(f"[{i}/{len(todo)}] {r.student}: {r.score:g}/{r.max_score:g} {r.status} ({r.seconds:.0f} s)")  # fmt: skip
            except KeyboardInterrupt:
                self.stopping.set()
                for proc in list(self.running.values()):
                    _kill(proc)
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown()
        results = [done[s] for s in found if s in done]
        report.write(results, self.points, self.out, self.lesson)
        return results

    def _prepare(self, tmp: Path) -> None:
        """The release and gradebook every student's course copy starts from, and the kernelspec."""
        with course.course_dir([self.lesson]) as root:
            course.generate(root, self.lesson)
            with open(root / "nbgrader_config.py", "a") as config:
                config.write(GRADER_CONFIG.format(cell_timeout=self.limits.cell_seconds))
            self.template = tmp / "course"
            shutil.copytree(root, self.template)
        self.release = course.read(self.template / "release" / self.lesson / f"{self.lesson}.ipynb")
        self.kernels = tmp / "jupyter"
        sandbox.kernelspec(self.kernels, memory_mb=self.limits.memory_mb,
                           cpu_seconds=self.limits.cpu_seconds, isolate=self.isolate)  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # nbgrader and its kernel (the sandbox dies with it)
    except ProcessLookupError:
        pass
    proc.wait()


def _tail(log: str, lines: int = 8) -> str:
    return textwrap.shorten(" | ".join(log.strip().splitlines()[-lines:]), 600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gankit-grade", description=__doc__.split("\n")[0])
    parser.add_argument("lesson", help="e.g. 01_minimax")
    parser.add_argument("submissions", type=Path, help="folder of student notebooks or folders")
    parser.add_argument("--out", type=Path, help="default build/grades/<lesson>")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions at once")
    parser.add_argument("--regrade", action="store_true", help="grade everyone again")
    limits = Limits()
    for field in dataclasses.fields(Limits):
        parser.add_argument(
            f"--{field.name.replace('_', '-')}", type=int, default=getattr(limits, field.name)
        )
    opts = parser.parse_args(argv)
    if not opts.submissions.is_dir():
        parser.error(f"expected a folder of submissions, got {opts.submissions} (not a folder)")
    limits = Limits(**{f.name: getattr(opts, f.name) for f in dataclasses.fields(Limits)})
    try:
        grader = Grader(opts.lesson, opts.out or ROOT / "build" / "grades" / opts.lesson, jobs=opts.jobs, limits=limits)  # fmt: skip
    except ValueError as err:
        parser.error(str(err))
    try:
        # Flushed line by line: progress shows live when the output goes to a pipe or a log file.
        results = grader.run(
            opts.submissions, regrade=opts.regrade, log=lambda line: print(line, flush=True)
        )
    except KeyboardInterrupt:
        print("interrupted: the students graded so far are kept; run the same command to go on", file=sys.stderr)  # fmt: skip
        return 130
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    print(
        ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        + f"; see {grader.out / 'report.html'}"
    )
    return 1 if counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
