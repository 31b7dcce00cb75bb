"""Make the pretrained generators in data/checkpoints/ by running their lessons.

    python data/make_checkpoints.py                  # lessons 02, 03, 05 and 06 on digits, in that order
    python data/make_checkpoints.py 03 --data mnist  # one of them, on MNIST (in data/cache/)

Each checkpoint is saved by its own solution notebook (its `SAVE_TO` parameter) at the `laptop`
profile, so it is exactly what a student's run of the lesson produces. Lesson 03 measures itself
against lesson 02's checkpoint on the same data, so 02 comes first. Beside each
`NN_slug_DATA.pt` a `NN_slug_DATA.json` records the command, seed, seconds, machine and the
metrics the lesson recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import date
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gankit.course import find_lessons, run_lesson  # noqa: E402

LESSONS = ["02", "03", "05", "06"]
SEED = 0  # every lesson's training cell seeds with 0
MAX_BYTES = 2_000_000


def make(number: str, data: str = "digits", out: Path = ROOT / "data" / "checkpoints") -> dict:
    (notebook,) = find_lessons(ROOT / "solutions", [number])
    name = notebook.stem
    checkpoint = out / f"{name}_{data}.pt"
    with tempfile.TemporaryDirectory() as build:
        result = run_lesson(notebook, "laptop", Path(build), limit=1800,
                            params={"SAVE_TO": str(checkpoint), "DATA": data})  # fmt: skip
    if "error" in result:
        raise SystemExit(f"{name} failed: {result['error']}")
    size = checkpoint.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{checkpoint} is {size:,} bytes, over the {MAX_BYTES:,} allowed")
    record = {
        "checkpoint": checkpoint.name,
        "command": f"python data/make_checkpoints.py {number} --data {data}",
        "lesson": name,
        "data": data,
        "profile": "laptop",
        "seed": SEED,
        "seconds": result["seconds"],
        "metrics": result["metrics"],
        "bytes": size,
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU threads, {platform.system()}",
        "date": date.today().isoformat(),
    }
    (out / f"{name}_{data}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(
        f"{checkpoint.relative_to(ROOT)}: {size:,} bytes, {result['seconds']:.0f} s, {result['metrics']}"
    )
    return record


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=LESSONS)
    parser.add_argument("--data", default="digits", choices=["digits", "mnist"])
    args = parser.parse_args()
    for number in args.lessons:
        make(number, args.data)
