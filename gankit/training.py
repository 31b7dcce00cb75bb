"""One small, explicit GAN training loop: a D step, a G step, seeding, logging, checkpoints.

Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1: for each training
iteration, take `d_steps` (the paper's k) gradient steps on the discriminator, then one on the
generator. The paper uses k = 1 in its experiments, and so do we by default.

For image GANs the loop also keeps an exponential moving average of G's weights
(`ema_generator`; Karras et al. 2018, "Progressive Growing of GANs", Appendix A.1; Yazici et
al. 2019, "The Unusual Effectiveness of Averaging in GAN Training"), stores G's images of fixed
codes over time, and can redraw a live figure in a notebook. A lesson can pass its own D and G
steps (`train_gan(..., d_step=my_d_step, g_step=my_g_step)`); the loop around them is the same.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import random
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from gankit import losses
from gankit.checkpoint import (  # noqa: F401 (re-exported: lessons call training.*)
    CHECKPOINT_FORMAT,
    load_checkpoint,
    pretrained,
    save_checkpoint,
)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's `random`, NumPy and torch (CPU and CUDA); return a seeded CPU generator.

    Pass the returned generator to samplers (`mixture.sample`, `G.sample_z`) so that data and
    noise are reproducible and can be saved and restored with a checkpoint.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


def autocast_for(device: torch.device):
    """bfloat16 mixed precision on CUDA, plain float32 (a no-op context) anywhere else."""
    if torch.device(device).type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def prepare(module_or_tensor, device):
    """Move a network or a batch to `device`; on CUDA, also to the channels-last memory format.

    Channels-last (N, H, W, C in memory) lets cuDNN run convolutions under bf16 autocast on
    tensor cores without transposing. Only 4-D tensors (image batches, convolution weights)
    change format. On the CPU this is `.to(device)` and nothing more. `train_gan` prepares G, D
    and every real batch itself; call it for a network you run outside the loop.
    """
    if isinstance(module_or_tensor, tuple | list):  # (images, labels), (z, labels): each part
        return tuple(prepare(part, device) for part in module_or_tensor)
    device = torch.device(device)
    moved = module_or_tensor.to(device)
    if device.type != "cuda":
        return moved
    if isinstance(moved, nn.Module):
        return moved.to(memory_format=torch.channels_last)
    return moved.contiguous(memory_format=torch.channels_last) if moved.ndim == 4 else moved


def ema_generator(G, decay=0.999) -> AveragedModel:
    """An exponential moving average (EMA) of G's weights, for `train_gan(..., ema=...)`.

    After every G step, theta_EMA <- decay * theta_EMA + (1 - decay) * theta_G (the first update
    copies G). G's weights orbit the equilibrium; their average sits closer to it and gives
    smoother samples (Yazici et al. 2019). decay = 0.999 averages over about the last
    1 / (1 - decay) = 1,000 steps (Karras et al. 2018). Sample from `ema.module`, a copy of G
    with `sample_z`. BatchNorm's running statistics are copied from G, not averaged: averaged
    statistics, which still remember the first steps, washed out a 1,500-step MNIST DCGAN's
    images.
    """
    if not 0 <= decay < 1:
        raise ValueError(f"expected decay in [0, 1), got {decay}")
    return AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=False)


@torch.no_grad()
def generate(G, z, *, batch_size=500) -> torch.Tensor:
    """G(z) without gradients, in eval mode, as a float32 CPU tensor, `batch_size` codes at a time.

    Eval mode makes BatchNorm use its running statistics, so an image does not depend on the
    other codes in its batch; G's training mode is restored afterwards. A conditional G's
    latent is a tuple, `(z, labels)`: each chunk is passed as `G(z_chunk, labels_chunk)`.
    """
    parts = z if isinstance(z, tuple | list) else (z,)
    was_training = G.training
    G.eval()
    try:
        chunks = zip(*(part.split(batch_size) for part in parts), strict=True)
        return torch.cat([G(*chunk).float().cpu() for chunk in chunks])
    finally:
        G.train(was_training)


def d_step(G, D, opt_d, real, z, d_loss=losses.d_loss_bce) -> float:
    """One discriminator update on a batch of real samples and latent codes; returns the loss.

    With the default loss this is the binary cross-entropy step: real -> 1, fake -> 0.

    `detach()` cuts the graph at G's output, so this step computes no gradients for G.
    """
    with autocast_for(real.device):
        fake = G(z).detach()  # (B, ...) like real; no gradient flows back into G
        loss = d_loss(D(real), D(fake))
    return update(opt_d, loss)


def update(optimizer, loss: torch.Tensor) -> float:
    """One optimiser step on `loss`: zero the gradients, backpropagate, step; returns the loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def g_step(G, D, opt_g, z, g_loss=losses.g_loss_nonsaturating) -> tuple[float, float]:
    """One generator update; returns (loss, grad_norm).

    grad_norm = sqrt(sum over G's parameters of |dL_G/dtheta|^2), the generator-gradient
    magnitude that shows the saturating loss stalling. The backward pass also fills D's
    `.grad`; `d_step` clears them before it uses them.
    """
    with autocast_for(z.device):
        loss = g_loss(D(G(z)))
    opt_g.zero_grad(set_to_none=True)
    loss.backward()
    grads = [p.grad for p in G.parameters() if p.grad is not None]
    grad_norm = torch.sqrt(sum((g.float() ** 2).sum() for g in grads)) if grads else torch.zeros(())
    opt_g.step()
    return loss.item(), grad_norm.item()


# train_gan's arguments `d_step` and `g_step` (a lesson's own steps) hide these two names.
_loss_d_step, _loss_g_step = d_step, g_step

LOGGED = ("step", "d_loss", "g_loss", "g_grad")


@dataclass
class History:
    """What `train_gan` records: losses every `log_every` steps and samples over time.

    `samples` is a list of (step, images) pairs: G's (or the EMA's) images of the same fixed
    codes after `step` updates, as CPU tensors. It is not part of `as_dict` or of `==`.
    """

    step: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    g_grad: list[float] = field(default_factory=list)
    samples: list[tuple[int, torch.Tensor]] = field(default_factory=list, compare=False, repr=False)

    def append(self, *, step: int, d_loss: float, g_loss: float, g_grad: float) -> None:
        self.step.append(step)
        self.d_loss.append(d_loss)
        self.g_loss.append(g_loss)
        self.g_grad.append(g_grad)

    def __len__(self) -> int:
        return len(self.step)

    def as_dict(self) -> dict:
        """The logged curves as plain lists (without the samples)."""
        return {name: list(getattr(self, name)) for name in LOGGED}

    @classmethod
    def from_dict(cls, values: dict) -> History:
        return cls(**{name: list(values[name]) for name in LOGGED})


def _draw_real(data, n, generator, device):
    """n real samples, (n, ...), from a sampler `data(n, generator=...)` or rows of a tensor.

    `data` may also be a tuple of tensors with the same rows, such as (images, labels): the
    same n rows of each are drawn, and a tuple of batches comes back.
    """
    if isinstance(data, torch.Tensor | tuple):
        parts = data if isinstance(data, tuple) else (data,)
        rows = torch.randint(len(parts[0]), (n,), generator=generator)  # (n,)
        batch = tuple(part[rows.to(part.device)] for part in parts)
        return prepare(batch if isinstance(data, tuple) else batch[0], device)
    return prepare(data(n, generator=generator), device)


def _check_data(data) -> None:
    if isinstance(data, tuple):
        if not data or not all(isinstance(p, torch.Tensor) for p in data):
            raise ValueError("expected data as a tuple of tensors such as (images, labels)")
        lengths = [len(p) for p in data]
        if len(set(lengths)) != 1:
            raise ValueError(f"expected tensors with the same number of rows, got {lengths}")


def _steps(d_loss, g_loss, d_step, g_step):
    """The D and G updates to run: a lesson's own steps, or the default steps with its losses."""
    for name, loss, step, example in [
        ("d", d_loss, d_step, "losses.d_loss_bce"),
        ("g", g_loss, g_step, "losses.g_loss_nonsaturating"),
    ]:
        if (loss is None) == (step is None):
            raise ValueError(
                f"expected either {name}_loss (a loss of logits, e.g. {example}) or your own "
                f"{name}_step, got {'neither' if loss is None else 'both'}"
            )
    return (
        d_step or functools.partial(_loss_d_step, d_loss=d_loss),
        g_step or functools.partial(_loss_g_step, g_loss=g_loss),
    )


def train_gan(
    G,
    D,
    data,
    *,
    d_loss=None,
    g_loss=None,
    steps,
    batch_size=256,
    lr=2e-4,
    lr_d=None,
    betas=(0.5, 0.999),
    d_steps=1,
    lr_decay=0.0,
    seed=0,
    checkpoint=None,
    checkpoint_every=500,
    log_every=10,
    progress=True,
    desc="training",
    d_step=None,
    g_step=None,
    ema=None,
    sample_every=None,
    samples_z=None,
    live=False,
    live_every=100,
    callback=None,
) -> History:
    """Train G against D for `steps` iterations of Algorithm 1 (Goodfellow et al. 2014).

    Args:
        G, D: the generator (with a `sample_z(n, generator=...)` method) and the discriminator,
            already on the device to train on; the device is read from G's parameters. On CUDA
            both are moved to channels-last (`prepare`) and run under bf16 autocast.
        data: a sampler `data(n, generator=...) -> (n, ...)` such as `GaussianMixture.sample`,
            or a tensor of samples (points (N, dim) or images (N, C, H, W)) from which random
            rows are drawn each step, or a tuple of tensors with the same rows, such as
            (images, labels) for a conditional GAN: the steps then get `real` as a tuple.
            A conditional G's `sample_z` returns a tuple too, `(z, labels)`.
        d_loss, g_loss: loss functions of logits, e.g. `losses.d_loss_bce` and
            `losses.g_loss_nonsaturating`, used by the default steps `d_step` and `g_step`.
        steps: total number of iterations (including those done before a resume).
        lr, betas: Adam settings for both networks (the DCGAN defaults, Radford et al. 2016).
        lr_d: the discriminator's learning rate when it differs from G's `lr` (two time-scale
            updates, Heusel et al. 2017); a slower D keeps it from overpowering G on small data.
        d_steps: discriminator updates per generator update (k in Goodfellow et al. 2014,
            n_critic in WGAN).
        lr_decay: the fraction of the last steps over which both learning rates fall linearly
            to 0 (0 keeps them constant). Annealing lets the generator settle on the modes
            instead of orbiting them.
        seed: seeds everything (`seed_everything`); data and noise come from its generator.
        checkpoint: a path. If the file exists, training resumes from it; it is (re)written
            every `checkpoint_every` steps and at the end, with the EMA and the samples.
        log_every: record the losses and G's gradient norm every `log_every` steps.
        d_step, g_step: a lesson's own updates, replacing d_loss and g_loss:
            `d_step(G, D, opt_d, real, z) -> loss` and `g_step(G, D, opt_g, z) -> loss` or
            `(loss, grad_norm)` (without a norm, NaN is logged).
        ema: an `ema_generator(G)`, updated after every G step.
        sample_every: store `generate(G, samples_z)` (the EMA's, given one) in
            `history.samples` before training and after every `sample_every` steps.
        samples_z: the fixed codes to sample; by default 64 codes drawn with seed 0.
        live: in a notebook, one figure of the losses and the latest samples, redrawn in
            place every `live_every` steps (each redraw takes a fraction of a second);
            elsewhere nothing.
        callback: a function called as `callback(step)` after every update, with `step` the
            number of updates done so far (e.g. to relabel the data in place: the rows are
            drawn from `data` anew at every step).

    Returns the `History` of logged steps (including those from before a resume).
    """
    if steps < 0:
        raise ValueError(f"expected steps >= 0, got {steps}")
    for name, value in [
        ("batch_size", batch_size),
        ("d_steps", d_steps),
        ("log_every", log_every),
        ("checkpoint_every", checkpoint_every),
        ("sample_every", 1 if sample_every is None else sample_every),
        ("live_every", live_every),
    ]:
        if value < 1:
            raise ValueError(f"expected {name} >= 1, got {value}")
    if not 0 <= lr_decay <= 1:
        raise ValueError(f"expected lr_decay in [0, 1], got {lr_decay}")
    if samples_z is not None and sample_every is None:
        raise ValueError("samples_z is only used with sample_every: pass both")
    _check_data(data)
    discriminator_step, generator_step = _steps(d_loss, g_loss, d_step, g_step)
    device = next(G.parameters()).device
    G, D = prepare(G, device), prepare(D, device)
    generator = seed_everything(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    lr_d = lr if lr_d is None else lr_d
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas)
    history = History()
    start = 0

    if checkpoint is not None and os.path.exists(checkpoint):
        state = load_checkpoint(checkpoint, G=G, D=D, opt_g=opt_g, opt_d=opt_d)
        if "step" not in state or "generator_state" not in state:
            raise ValueError(f"checkpoint {checkpoint} was not written by train_gan: cannot resume")
        if ema is not None and state.get("ema") is None:
            raise ValueError(f"checkpoint {checkpoint} has no EMA: resume it without ema=")
        start = state["step"]
        history = History.from_dict(state["history"])
        history.samples = list(state.get("samples", []))
        generator.set_state(state["generator_state"])
        torch.set_rng_state(state["torch_rng_state"])
        if ema is not None:
            ema.load_state_dict(state["ema"])

    def save(step):
        save_checkpoint(
            checkpoint,
            G=G,
            D=D,
            opt_g=opt_g,
            opt_d=opt_d,
            step=step,
            history=history.as_dict(),
            generator_state=generator.get_state(),
            torch_rng_state=torch.get_rng_state(),
            ema=None if ema is None else ema.state_dict(),
            samples=history.samples,
        )

    sampled = ema.module if ema is not None else G
    if sample_every is not None:
        if samples_z is None:  # the same codes in every run, whatever its seed
            samples_z = G.sample_z(64, generator=torch.Generator().manual_seed(0))  # (64, z_dim)
        samples_z = prepare(samples_z, device)
        if start == 0:
            history.samples.append((0, generate(sampled, samples_z)))
    figure = None
    if live:
        from gankit.viz import LiveFigure  # matplotlib is imported only when it is needed

        figure = LiveFigure(title=desc)

    bar = tqdm(range(start, steps), initial=start, total=steps, desc=desc, disable=not progress)
    for step in bar:
        if lr_decay:  # a function of the step alone, so a resumed run follows the same schedule
            for optimizer, base in ((opt_g, lr), (opt_d, lr_d)):
                for group in optimizer.param_groups:
                    group["lr"] = base * min(1.0, (steps - step) / (lr_decay * steps))
        for _ in range(d_steps):
            real = _draw_real(data, batch_size, generator, device)  # (B, ...)
            z = G.sample_z(batch_size, generator=generator)  # (B, z_dim)
            d_value = float(discriminator_step(G, D, opt_d, real, z))
        z = G.sample_z(batch_size, generator=generator)  # (B, z_dim)
        g_value = generator_step(G, D, opt_g, z)
        g_value, g_grad = g_value if isinstance(g_value, tuple) else (g_value, math.nan)
        g_value, g_grad = float(g_value), float(g_grad)
        if ema is not None:
            ema.update_parameters(G)

        if step % log_every == 0:
            history.append(step=step, d_loss=d_value, g_loss=g_value, g_grad=g_grad)
            bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}", refresh=False)
        if sample_every is not None and (step + 1) % sample_every == 0:
            history.samples.append((step + 1, generate(sampled, samples_z)))
        if figure is not None and ((step + 1) % live_every == 0 or step + 1 == steps):
            figure.update(history)
        if checkpoint is not None and (step + 1) % checkpoint_every == 0:
            save(step + 1)  # the step to start from when resuming
        if callback is not None:
            callback(step + 1)

    if checkpoint is not None and steps > start and steps % checkpoint_every != 0:
        save(steps)
    return history
