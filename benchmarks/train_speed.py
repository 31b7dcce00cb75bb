"""Training speed of the toy-data GAN (lesson 01's networks) against torch's thread count.

    .venv/bin/python benchmarks/train_speed.py [--steps 1000] [--rounds 3]

Prints D+G steps per second with 1 and 2 threads, for each network size the lessons use, both
alone and with a second identical training running at the same time (as when `make lessons`
runs two notebooks side by side, or a laptop is busy). Best of `--rounds` runs each.
"""

import argparse
import multiprocessing as mp
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from gankit import data, losses, training
from gankit.models import MLPDiscriminator, MLPGenerator

SIZES = {
    "lesson 00 (hidden 128, batch 256)": (128, 256),
    "lesson 01 (hidden 64, batch 1024)": (64, 1024),
}


def steps_per_second(threads: int, steps: int, hidden: int, batch_size: int) -> float:
    torch.set_num_threads(threads)
    G = MLPGenerator(z_dim=2, out_dim=2, hidden=hidden, depth=3)
    D = MLPDiscriminator(in_dim=2, hidden=hidden, depth=3)
    began = time.perf_counter()
    training.train_gan(G, D, data.ring().sample, d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating,
                       steps=steps, batch_size=batch_size, progress=False)  # fmt: skip
    return steps / (time.perf_counter() - began)


def measure(threads, steps, hidden, batch_size, side_by_side: bool) -> float:
    """Steps per second of one run; with `side_by_side`, while a second identical run goes on."""
    if not side_by_side:
        return steps_per_second(threads, steps, hidden, batch_size)
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        runs = [pool.submit(steps_per_second, threads, steps, hidden, batch_size) for _ in range(2)]
        return min(run.result() for run in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {args.steps} steps a run"
    )
    print(
        f"{'networks':<36}{'runs at once':>13}{'1 thread':>10}{'2 threads':>11}{'1 / 2':>7}  (steps/s)"
    )
    for name, (hidden, batch_size) in SIZES.items():
        for side_by_side in (False, True):
            best = {1: 0.0, 2: 0.0}
            for _ in range(args.rounds):
                for threads in best:
                    rate = measure(threads, args.steps, hidden, batch_size, side_by_side)
                    best[threads] = max(best[threads], rate)
            print(
                f"{name:<36}{2 if side_by_side else 1:>13}{best[1]:>10.0f}{best[2]:>11.0f}{best[1] / best[2]:>6.2f}x"
            )


if __name__ == "__main__":
    main()
