"""DCGAN training throughput, in images per second, for the lesson and the classic configuration.

    .venv/bin/python benchmarks/dcgan_speed.py [--steps 30] [--threads 2]

Configurations (Radford et al. 2016 sizes):
- lesson 03: 28x28x1, z_dim 64, width 32, batch 64 (what the `laptop` profile trains);
- classic: 64x64x3, z_dim 100, width 64 (ngf = ndf = 64), batch 128 (pytorch/examples dcgan).

On the CPU: float32. With CUDA: float32, then each of bf16 mixed precision, channels-last, both,
and both with `torch.compile`. One "image" is one real and one generated image through a D step
and a G step. Each figure is the best of three timed runs after warm-up steps.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from gankit import losses, training
from gankit.models import DCGANDiscriminator, DCGANGenerator

CONFIGS = {
    "lesson 03 (28x28x1, width 32, batch 64)": dict(
        size=28, channels=1, z_dim=64, width=32, batch=64
    ),
    "classic (64x64x3, width 64, batch 128)": dict(
        size=64, channels=3, z_dim=100, width=64, batch=128
    ),
}


def images_per_second(cfg, device, steps, *, amp=False, channels_last=False, compile=False):
    torch.manual_seed(0)
    G = DCGANGenerator(
        z_dim=cfg["z_dim"], channels=cfg["channels"], size=cfg["size"], width=cfg["width"]
    )
    D = DCGANDiscriminator(channels=cfg["channels"], size=cfg["size"], width=cfg["width"])
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    G, D = G.to(device, memory_format=memory_format), D.to(device, memory_format=memory_format)
    if compile:
        G, D = torch.compile(G), torch.compile(D)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    batch = cfg["batch"]
    real = torch.rand(batch, cfg["channels"], cfg["size"], cfg["size"], device=device) * 2 - 1
    real = real.contiguous(memory_format=memory_format)
    precision = (torch.autocast("cuda", dtype=torch.bfloat16) if amp else torch.autocast("cuda", enabled=False)) \
        if device.type == "cuda" else torch.autocast("cpu", enabled=False)  # fmt: skip

    def step():
        with precision:
            z = torch.randn(batch, cfg["z_dim"], device=device)
            fake = G(z).detach()
            d_loss = losses.d_loss_bce(D(real), D(fake))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        with precision:
            g_loss = losses.g_loss_nonsaturating(
                D(G(torch.randn(batch, cfg["z_dim"], device=device)))
            )
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(max(3, steps // 5) if not compile else 10):  # warm-up (and compilation)
        step()
    sync()
    best = 0.0
    for _ in range(3):
        began = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        best = max(best, steps * batch / (time.perf_counter() - began))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    training.seed_everything(0)
    print(
        f"{platform.machine()}, {os.cpu_count()} CPU threads (using {args.threads}), torch {torch.__version__}"
    )
    variants = [("CPU float32", torch.device("cpu"), {})]
    if torch.cuda.is_available():
        gpu = torch.device("cuda")
        print(f"GPU: {torch.cuda.get_device_name(0)}")
        variants += [
            ("GPU float32", gpu, {}),
            ("GPU bf16", gpu, dict(amp=True)),
            ("GPU channels-last", gpu, dict(channels_last=True)),
            ("GPU bf16 + channels-last", gpu, dict(amp=True, channels_last=True)),
            (
                "GPU bf16 + channels-last + compile",
                gpu,
                dict(amp=True, channels_last=True, compile=True),
            ),
        ]
    print(f"{'configuration':<42}{'variant':<36}{'images/s':>10}")
    for name, cfg in CONFIGS.items():
        for label, device, options in variants:
            steps = args.steps if device.type == "cpu" else 10 * args.steps
            rate = images_per_second(cfg, device, steps, **options)
            print(f"{name:<42}{label:<36}{rate:>10,.0f}", flush=True)


if __name__ == "__main__":
    main()
