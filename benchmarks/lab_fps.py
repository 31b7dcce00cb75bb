"""Frames per second of the GAN lab (`gankit.lab`) on the ring, for each loss.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/lab_fps.py [--seconds 10] [--frames 20]
    .venv/bin/python benchmarks/lab_fps.py --threads 2

For each loss, at the lab's default sizes (a frame is 4 iterations, each of the loss's D steps
and one G step, then a redraw): Play for --seconds in the background thread, as in a notebook,
and count the frames; then --frames more frames one at a time, timing the training
(`train_frame`) and the drawing (`render`) apart. The target is at least 5 frames a second.
The machine's load average is printed too: on a shared machine it moves the figures.
"""

import argparse
import os
import platform
import time

import torch

from gankit.lab import LOSSES, lab


def measure(loss: str, seconds: float, frames: int) -> dict:
    L = lab(target="ring", loss=loss)
    began = time.perf_counter()
    L.play()
    time.sleep(seconds)
    L.pause()
    played = len(L.history["iteration"]) / (time.perf_counter() - began)
    train = draw = 0.0
    for _ in range(frames):
        t0 = time.perf_counter()
        L.train_frame()
        t1 = time.perf_counter()
        L.render()
        train, draw = train + t1 - t0, draw + time.perf_counter() - t1
    L.close()
    modes = L.history["modes"][-1]
    return {"fps": played, "train": 1000 * train / frames, "draw": 1000 * draw / frames,
            "iterations": L.iteration, "modes": modes}  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: as set)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s), load average {os.getloadavg()[0]:.1f}, "
          f"{args.seconds:g} s of Play a loss")  # fmt: skip
    print(
        f"{'loss':<16}{'frames/s':>9}{'train ms':>10}{'draw ms':>9}{'iterations':>12}{'modes':>7}"
    )
    for loss in LOSSES:
        r = measure(loss, args.seconds, args.frames)
        print(f"{loss:<16}{r['fps']:>9.1f}{r['train']:>10.1f}{r['draw']:>9.1f}"
              f"{r['iterations']:>12}{r['modes']:>5}/8")  # fmt: skip
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
