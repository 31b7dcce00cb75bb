"""`experiments.compare` in one process against `jobs` forked ones, on lesson 07's grid table.

    .venv/bin/python benchmarks/compare_jobs.py [--steps 1000] [--seeds 0 1]

Trains lesson 07's minimax and WGAN-GP configurations on the 25-Gaussian grid (MLPs of width
64 and depth 3, batch 256) three ways: in this process with torch's default threads (what a
notebook does without `jobs`), in this process with one thread, and with `jobs` = the number
of cores. Prints the wall-clock seconds of each and checks that the tables agree.
"""

import argparse
import functools
import os
import platform
import time

import torch

from gankit import data, experiments, losses
from gankit.models import MLPDiscriminator, MLPGenerator, wgan

CONFIGS = {
    "minimax": dict(d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating),
    "WGAN-GP": dict(
        d_step=functools.partial(wgan.d_step, gp_weight=1.0),
        g_loss=losses.g_loss_wasserstein,
        d_steps=2,
    ),  # fmt: skip
}


def pair(seed):
    return MLPGenerator(z_dim=2, out_dim=2, hidden=64), MLPDiscriminator(in_dim=2, hidden=64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    cores, threads = os.cpu_count(), torch.get_num_threads()
    print(f"{platform.machine()}, {cores} cores, torch {torch.__version__}; {vars(args)}")
    grid = data.grid()
    kwargs = dict(models=pair, data=grid.sample, measure=experiments.mixture_scores(grid),
                  seeds=args.seeds, steps=args.steps, batch_size=256, lr=1e-3, betas=(0.5, 0.9),
                  progress=False)  # fmt: skip
    ways = {f"1 process, {threads} threads": (threads, 1), "1 process, 1 thread": (1, 1),
            f"{cores} processes, 1 thread each": (threads, cores)}  # fmt: skip
    tables = {}
    print(f"{'':<32} {'seconds':>8}")
    for way, (n, jobs) in ways.items():
        torch.set_num_threads(n)
        began = time.perf_counter()
        tables[way] = experiments.compare(CONFIGS, jobs=jobs, **kwargs)
        print(f"{way:<32} {time.perf_counter() - began:>8.1f}", flush=True)
    torch.set_num_threads(threads)
    rows = [
        [(r["config"], r["seed"], r["modes"], r["hq"]) for r in t.rows] for t in tables.values()
    ]
    print("tables agree:", all(r == rows[1] for r in rows[1:]))


if __name__ == "__main__":
    main()
