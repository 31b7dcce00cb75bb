"""How a class did on one lesson: `grades.csv`, and a report as a picture and an HTML page.

The report shows the spread of scores and, per test, the share of graded students who got its
full points, hardest first: which exercises the class found hard.
"""

from __future__ import annotations

import csv
from collections import Counter
from html import escape
from pathlib import Path

GRADED = ("graded", "renamed", "tests_restored", "memory_limit", "timed_out")  # ran, got grades


def write(results, points: dict[str, float], out: Path, lesson: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_csv(results, points, out / "grades.csv")
    rates = pass_rates(results, points)
    plot(results, rates, out / "report.png", lesson)
    (out / "report.html").write_text(html(results, points, rates, lesson))


def write_csv(results, points: dict[str, float], path: Path) -> None:
    tmp = path.with_name(f".{path.name}")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "score", "max_score", "status", "message", "source", *points])
        for r in results:
            row = [r.student, f"{r.score:g}", f"{r.max_score:g}", r.status, r.message, r.source]
            writer.writerow(row + [f"{r.tests.get(t, [0])[0]:g}" for t in points])
    tmp.replace(path)


def pass_rates(results, points: dict[str, float]) -> dict[str, float]:
    """test id -> share of graded students with its full points, hardest first."""
    graded = [r for r in results if r.status in GRADED]
    rates = {
        t: sum(r.tests[t][0] >= p for r in graded) / len(graded) if graded else 0.0
        for t, p in points.items()
        if p > 0
    }
    return dict(sorted(rates.items(), key=lambda kv: kv[1]))


def plot(results, rates: dict[str, float], path: Path, lesson: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (hist, bars) = plt.subplots(
        1, 2, figsize=(11, max(3.5, 0.32 * len(rates) + 1.2)), width_ratios=[1, 1.4]
    )
    scores = [100 * r.score / r.max_score for r in results if r.max_score]
    hist.hist(scores, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    hist.set(xlabel="score (% of the maximum)", ylabel="students", xlim=(0, 100),
             title=f"{lesson}: {len(results)} students")  # fmt: skip
    hist.yaxis.get_major_locator().set_params(integer=True)
    names = list(rates)[::-1]  # hardest at the top
    values = [100 * rates[t] for t in names]
    bars.barh(names, values, color=["#c44e52" if v < 50 else "#dd8452" if v < 80 else "#55a868" for v in values])  # fmt: skip
    bars.set(
        xlim=(0, 100),
        xlabel="graded students with full points (%)",
        title="tests, hardest at the top",
    )
    for y, v in enumerate(values):
        bars.text(min(v + 1, 88), y, f"{v:.0f}%", va="center", fontsize=8)
    bars.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def html(results, points: dict[str, float], rates: dict[str, float], lesson: str) -> str:
    statuses = Counter(r.status for r in results)
    graded = [r for r in results if r.status in GRADED]
    mean = sum(r.score for r in graded) / len(graded) if graded else 0.0
    total = sum(points.values())
    rows = "".join(
        f"<tr><td>{escape(t)}</td><td>{points[t]:g}</td><td>{100 * rate:.0f}%</td>"
        f"<td>{sum(r.tests[t][0] for r in graded) / max(1, len(graded)):.2f}</td></tr>"
        for t, rate in rates.items()
    )
    students = "".join(
        f"<tr><td><a href='feedback/{escape(r.student)}.html'>{escape(r.student)}</a></td>"
        f"<td>{r.score:g} / {r.max_score:g}</td><td class='{escape(r.status)}'>{escape(r.status)}</td>"
        f"<td>{escape(r.message)}</td></tr>"
        for r in sorted(results, key=lambda r: (r.status == "graded", r.score, r.student))
    )
    summary = ", ".join(f"{n} {escape(s.replace('_', ' '))}" for s, n in statuses.most_common())
    return f"""<!doctype html>
<meta charset="utf-8"><title>{escape(lesson)}: class report</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }}
 table {{ border-collapse: collapse; margin-bottom: 2rem; }}
 td, th {{ border-bottom: 1px solid #ddd; padding: .3rem .8rem; text-align: left; vertical-align: top; }}
 img {{ max-width: 100%; }}
 .graded {{ color: #2b7a3d; }} .error, .missing, .malformed, .kernel_crashed {{ color: #b00020; }}
</style>
<h1>{escape(lesson)}: class report</h1>
<p>{len(results)} students: {summary}. Mean score of the {len(graded)} graded: {mean:.2f} of {total:g}.</p>
<img src="report.png" alt="score histogram and pass rate per test">
<h2>Tests, hardest first</h2>
<table><tr><th>test</th><th>points</th><th>full points</th><th>mean points</th></tr>{rows}</table>
<h2>Students</h2>
<table><tr><th>student</th><th>score</th><th>status</th><th>message</th></tr>{students}</table>
"""
