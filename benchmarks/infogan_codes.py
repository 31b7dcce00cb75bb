"""InfoGAN's categorical code as a classifier: code accuracy over seeds, on digits or MNIST.

    .venv/bin/python benchmarks/infogan_codes.py --data digits --seeds 0 1 2   # lesson 06's target
    .venv/bin/python benchmarks/infogan_codes.py --data mnist --seeds 0        # against the paper

Trains lesson 06's InfoGAN (its `laptop` recipe: DCGAN width 32, D's fully connected layer of
512 units, noise_dim 4, one 10-way and two continuous codes, G at 1e-3, D and Q at 2e-4,
batch 64, an R1 penalty of gamma 1 on D, Q reading G's codes through Gaussian noise of standard
deviation 0.5) once per seed, and measures, every `--every` steps, the accuracy of Q's categorical
code on held-out labelled digits after the best one-to-one matching of codes to classes (Chen et
al. 2016, Section 7: about 95% on MNIST, from a longer run). digits: trained on the train
split, measured on the test split. mnist: the real test split in `--mnist` (IDX files; by
default `../shared/data/mnist`), trained on its first 8,000 digits and measured on the last
2,000. The labels are never used for training.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import sys
import time
from pathlib import Path

import torch

from gankit import data, losses, metrics, training
from gankit.models import infogan

ROOT = Path(__file__).resolve().parents[1]


def load(name, mnist_root):
    if name == "digits":
        return data.load_images("digits", split="train"), data.load_images("digits", split="test")
    try:
        images, labels = data.load_images("mnist", split="test", root=mnist_root)
    except FileNotFoundError as err:
        sys.exit(f"needs the MNIST test split: {err}")
    return (images[:8000], labels[:8000]), (images[8000:], labels[8000:])


def run(seed, train, held_out, *, steps, every, noise_dim, width, hidden, lr_d, r1, q_noise):
    G = infogan.InfoGANGenerator(noise_dim=noise_dim, width=width)
    D = infogan.InfoGANDiscriminator(width=width, hidden=hidden)
    info_loss = functools.partial(losses.info_loss, lambda_cat=1.0, lambda_cont=0.1)
    d_step = functools.partial(infogan.d_step, info_loss=info_loss, r1=r1, q_noise=q_noise)
    g_step = functools.partial(infogan.g_step, info_loss=info_loss, q_noise=q_noise)
    began, curve = time.perf_counter(), []
    for done in range(every, steps + 1, every):
        training.train_gan(
            G, D, train[0], d_step=d_step, g_step=g_step, steps=done, batch_size=64, lr=1e-3,
            lr_d=lr_d, seed=seed, progress=False,
            checkpoint=_checkpoint(seed),  # training resumes from it for the next chunk
        )  # fmt: skip
        codes = infogan.predict_codes(D, held_out[0])
        accuracy = metrics.code_accuracy(codes, held_out[1], num_classes=10)
        curve.append((done, time.perf_counter() - began, accuracy))
        print(
            f"  seed {seed}: {done:>5} steps, {curve[-1][1]:>5.0f} s, code accuracy {accuracy:.3f}"
        )
    _checkpoint(seed).unlink(missing_ok=True)
    return curve


def _checkpoint(seed) -> Path:
    return ROOT / "build" / f"infogan_codes_seed{seed}.pt"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="digits", choices=["digits", "mnist"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--noise-dim", type=int, default=4)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=512, help="units in D's FC layer, 0: none")
    parser.add_argument("--lr-d", type=float, default=2e-4, help="D's and Q's learning rate")
    parser.add_argument("--r1", type=float, default=1.0, help="gamma of an R1 penalty on D")
    parser.add_argument("--q-noise", type=float, default=0.5, help="sigma of the noise Q reads in")
    parser.add_argument("--mnist", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    args = parser.parse_args()
    train, held_out = load(args.data, args.mnist)
    (ROOT / "build").mkdir(exist_ok=True)
    print(f"{platform.machine()}, {os.cpu_count()} CPU threads, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; {args.data}: {len(train[0])} to train on, "
          f"{len(held_out[0])} held out")  # fmt: skip
    finals = []
    for seed in args.seeds:
        _checkpoint(seed).unlink(missing_ok=True)
        curve = run(seed, train, held_out, steps=args.steps, every=args.every,
                    noise_dim=args.noise_dim, width=args.width, hidden=args.hidden,
                    lr_d=args.lr_d, r1=args.r1, q_noise=args.q_noise)  # fmt: skip
        finals.append(curve[-1])
    accuracies = torch.tensor([a for _, _, a in finals])
    print(f"code accuracy after {args.steps} steps, seeds {args.seeds}: "
          f"{', '.join(f'{a:.3f}' for a in accuracies.tolist())}; mean {accuracies.mean():.3f} "
          f"(paper, MNIST: about 0.95)")  # fmt: skip


if __name__ == "__main__":
    main()
