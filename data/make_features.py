"""Make the shipped feature network data/features/digits.pt and its record digits.json.

    .venv/bin/python data/make_features.py [--epochs 20] [--seed 0] [--threads 1]

Trains `gankit.features.DigitClassifier` on the train split of scikit-learn's digits (resized
to 28x28) and measures its accuracy on the held-out test split. The .pt file holds the state
dict, a format tag and the settings (read with torch.load(weights_only=True)); the .json file
records the command, seed, training time, held-out accuracy, torch version and machine.
`gankit.features.classifier("digits")` loads the .pt file.
"""

import argparse
import json
import os
import platform
import shlex
import sys
from pathlib import Path

import torch

from gankit.data import load_images
from gankit.features import (
    DOMAINS,
    FEATURES_FORMAT,
    load_classifier,
    save_classifier,
    train_classifier,
)

OUT_DIR = Path(__file__).resolve().parent / "features"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=DOMAINS["digits"]["epochs"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (timings use 1)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images, labels = load_images("digits", split="train")  # (1437, 1, 28, 28), (1437,)
    test_images, test_labels = load_images("digits", split="test")  # (360, 1, 28, 28), (360,)
    model = train_classifier(images, labels, epochs=args.epochs, seed=args.seed,
                             test_images=test_images, test_labels=test_labels)  # fmt: skip

    settings = {"epochs": args.epochs, "seed": args.seed, "accuracy": model.accuracy}
    path = args.out_dir / "digits.pt"
    save_classifier(model, path, domain="digits", **settings)
    load_classifier(path, domain="digits")  # the file reads back
    record = {
        "command": shlex.join(["python", "data/make_features.py", *sys.argv[1:]]),
        "format": FEATURES_FORMAT,
        "seed": args.seed,
        "epochs": args.epochs,
        "seconds": round(model.seconds, 1),
        "threads": args.threads,
        "held_out_accuracy": round(model.accuracy, 4),
        "held_out_images": len(test_labels),
        "train_images": len(labels),
        "parameters": sum(p.numel() for p in model.parameters()),
        "file_bytes": path.stat().st_size,
        "torch": torch.__version__,
        "machine": machine(),
    }
    (args.out_dir / "digits.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


def machine() -> str:
    """CPU model, core count and operating system, e.g. for comparing recorded timings."""
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]  # fmt: skip
        cpu = names[0] if names else cpu
    return (
        f"{cpu or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
