"""Grading throughput: submissions graded per minute by `make grade`, sequential against parallel.

    .venv/bin/python benchmarks/grade_speed.py [--lesson 01_minimax] [--students 40] [--jobs 1 2]

A class of `--students` submissions (the solution, a blank notebook, every mutant and variant,
then copies of them) is graded from scratch once per `--jobs` value, each kernel sandboxed as an
instructor's run would be. Prints wall time and submissions per minute for each.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import nbformat
import torch

from autograder import course, sandbox
from autograder.grade import Grader, Limits
from autograder.submissions import lesson_class


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lesson", default="01_minimax")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    solution = course.read(course.ROOT / "solutions" / args.lesson / f"{args.lesson}.ipynb")
    student = course.read(course.ROOT / "lessons" / args.lesson / f"{args.lesson}.ipynb")
    print(f"{platform.machine()}, {os.cpu_count()} CPU threads, torch {torch.__version__}; "
          f"{args.students} {args.lesson} submissions, sandboxed: {sandbox.available()}")  # fmt: skip
    print(f"{'jobs':>5}{'seconds':>10}{'per minute':>12}{'statuses':>30}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        for name, nb in lesson_class(args.lesson, student, solution, args.students).items():
            nbformat.write(nb, folder / f"{name}.ipynb")
        for jobs in args.jobs:
            grader = Grader(args.lesson, Path(tmp) / f"out-{jobs}", jobs=jobs, limits=Limits())
            began = time.perf_counter()
            results = grader.run(folder, log=lambda line: None)
            seconds = time.perf_counter() - began
            statuses = ", ".join(sorted({f"{sum(r.status == s for r in results)} {s}" for s in {r.status for r in results}}))  # fmt: skip
            print(f"{jobs:>5}{seconds:>10.0f}{60 * len(results) / seconds:>12.2f}{statuses:>30}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
