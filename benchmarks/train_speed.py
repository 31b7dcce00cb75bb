"""Training speed of the toy-data GAN (lesson 01's networks) against torch's thread count.

    .venv/bin/python benchmarks/train_speed.py [--steps 1500]

Prints D+G steps per second for 1 and 2 threads, interleaved over several rounds, and their
ratio. Small MLPs spend more time splitting work across threads than computing, which is why
lesson 01 trains with one thread.
"""

import argparse
import os
import platform
import time

import torch

from gankit import data, losses, training
from gankit.models import MLPDiscriminator, MLPGenerator


def steps_per_second(threads: int, steps: int, hidden: int, batch_size: int) -> float:
    torch.set_num_threads(threads)
    G = MLPGenerator(z_dim=2, out_dim=2, hidden=hidden, depth=3)
    D = MLPDiscriminator(in_dim=2, hidden=hidden, depth=3)
    began = time.perf_counter()
    training.train_gan(G, D, data.ring().sample, d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating,
                       steps=steps, batch_size=batch_size, progress=False)  # fmt: skip
    return steps / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
    )
    print(
        f"MLP G and D: hidden {args.hidden}, depth 3, batch {args.batch_size}, {args.steps} steps per run"
    )
    best = {1: 0.0, 2: 0.0}
    for _ in range(args.rounds):
        for threads in best:
            best[threads] = max(
                best[threads], steps_per_second(threads, args.steps, args.hidden, args.batch_size)
            )
    for threads, rate in best.items():
        print(f"{threads} thread(s): {rate:7.0f} steps/s (best of {args.rounds})")
    print(f"1 thread / 2 threads: {best[1] / best[2]:.2f}x")


if __name__ == "__main__":
    main()
