"""Quality per minute: the Fréchet distance of lesson 03's DCGAN against wall-clock training time.

    .venv/bin/python benchmarks/quality_per_minute.py [--minutes 5] [--every 30] [--mnist DIR]

Trains the lesson's DCGAN (28x28, z_dim 64, width 32, batch 64, lr 2e-4 for G, 1e-4 for D, EMA
0.995) on the real MNIST test split (10,000 digits, IDX files in `--mnist`, by default
`../shared/data/mnist` beside the repository), and every `--every` seconds of training measures
the EMA generator: FD and classifier confidence on 2,000 samples against the 10,000 real digits.
The feature classifier is trained first on digits 0-4,999 of the same split (held out:
5,000-9,999), since only the test split is at hand. Exits with a message when MNIST is absent.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

from gankit import data, features, losses, metrics, training
from gankit.models import DCGANDiscriminator, DCGANGenerator

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument(
        "--every", type=float, default=30, help="seconds of training between measurements"
    )
    parser.add_argument("--mnist", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    args = parser.parse_args()
    try:
        images, labels = data.load_images("mnist", split="test", root=args.mnist)
    except FileNotFoundError as err:
        sys.exit(f"needs the MNIST test split: {err}")
    print(f"{platform.machine()}, {os.cpu_count()} CPU threads, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; {len(images)} MNIST test digits")  # fmt: skip

    began = time.perf_counter()
    clf = features.train_classifier(images[:5000], labels[:5000], epochs=3, test_images=images[5000:],
                                    test_labels=labels[5000:], progress=False)  # fmt: skip
    clf = clf.eval().requires_grad_(False)
    print(
        f"feature classifier: held-out accuracy {clf.accuracy:.4f}, {time.perf_counter() - began:.0f} s"
    )

    training.seed_everything(0)
    G = DCGANGenerator(z_dim=64, channels=1, size=28, width=32)
    D = DCGANDiscriminator(channels=1, size=28, width=32)
    ema = training.ema_generator(G, decay=0.995)
    z = G.sample_z(2000, generator=torch.Generator().manual_seed(1))
    chunk = 100  # steps between clock checks
    checkpoint = Path(tempfile.mkdtemp()) / "dcgan.pt"
    trained, steps = 0.0, 0
    print(f"{'seconds':>8}{'steps':>7}{'FD':>8}{'confidence':>12}{'smallest class':>16}")
    while trained < args.minutes * 60:
        target = trained + args.every
        while trained < target:
            t0 = time.perf_counter()
            steps += chunk  # each call resumes from the checkpoint: optimisers, EMA, random state
            training.train_gan(G, D, images, d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating,
                               steps=steps, batch_size=64, lr=2e-4, lr_d=1e-4, ema=ema, seed=0,
                               checkpoint=checkpoint, checkpoint_every=chunk, progress=False)  # fmt: skip
            trained += time.perf_counter() - t0
        scores = metrics.evaluate(training.generate(ema.module, z), images, clf)
        print(f"{trained:>8.0f}{steps:>7}{scores['fd']:>8.2f}{scores['confidence']:>12.3f}"
              f"{scores['min_class_fraction']:>16.3f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
