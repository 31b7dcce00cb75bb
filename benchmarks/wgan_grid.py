"""WGAN-GP on the 25-Gaussian grid: modes and high-quality samples against steps and seconds.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/wgan_grid.py --steps 6000 --every 2000
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/wgan_grid.py --steps 12000 --lr-decay 0.3

Lesson 07's networks and recipe (MLPs of width 64 and depth 3, batch 256, Adam lr 1e-3 with
betas (0.5, 0.9), 2 critic steps, gradient penalty weight 1), for one seed. Without a learning
rate decay, training is measured every --every steps (resuming from a checkpoint, which gives
the same run as one call); with one, only at the end, since the decay depends on the total.
Prints modes covered, the high-quality fraction and reverse KL (`metrics.mode_coverage`, 2,500
samples) with the seconds of training so far.
"""

import argparse
import functools
import platform
import tempfile
import time
from pathlib import Path

import torch

from gankit import data, experiments, losses, training
from gankit.models import MLPDiscriminator, MLPGenerator, wgan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--every", type=int, default=2000)
    parser.add_argument("--lr-decay", type=float, default=0.0)
    parser.add_argument("--gp-weight", type=float, default=1.0)
    parser.add_argument("--n-critic", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"{platform.machine()}, {torch.get_num_threads()} thread(s), torch {torch.__version__}; {vars(args)}"
    )

    grid = data.grid()
    measure = experiments.mixture_scores(grid)
    torch.manual_seed(args.seed)
    G, D = MLPGenerator(z_dim=2, hidden=64), MLPDiscriminator(in_dim=2, hidden=64)
    step = functools.partial(wgan.d_step, gp_weight=args.gp_weight)
    marks = [args.steps] if args.lr_decay else list(range(args.every, args.steps + 1, args.every))
    seconds = 0.0
    print(f"{'steps':>6} {'seconds':>8} {'modes':>6} {'hq':>6} {'kl':>6}")
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = Path(folder) / "run.pt"
        for mark in marks:
            start = time.perf_counter()
            training.train_gan(G, D, grid.sample, d_step=step, g_loss=losses.g_loss_wasserstein, steps=mark,
                               d_steps=args.n_critic, batch_size=256, lr=1e-3, betas=(0.5, 0.9),
                               lr_decay=args.lr_decay, seed=args.seed, checkpoint=checkpoint, progress=False)  # fmt: skip
            seconds += time.perf_counter() - start
            scores = measure(G)
            print(
                f"{mark:>6} {seconds:>8.0f} {scores['modes']:>6} {scores['hq']:>6.3f} {scores['kl']:>6.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
