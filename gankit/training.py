"""One small, explicit GAN training loop: a D step, a G step, seeding, logging, checkpoints.

Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1: for each training
iteration, take `d_steps` (the paper's k) gradient steps on the discriminator, then one on the
generator. The paper uses k = 1 in its experiments, and so do we by default.
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import torch
from tqdm.auto import tqdm

CHECKPOINT_FORMAT = "gankit-checkpoint-v1"


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


def d_step(G, D, opt_d, real, z, d_loss) -> float:
    """One discriminator update on a batch of real samples and latent codes; returns the loss.

    `detach()` cuts the graph at G's output, so this step computes no gradients for G.
    """
    with autocast_for(real.device):
        fake = G(z).detach()  # (B, dim), no gradient flows back into G
        loss = d_loss(D(real), D(fake))
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return loss.item()


def g_step(G, D, opt_g, z, g_loss) -> tuple[float, float]:
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


@dataclass
class History:
    """What `train_gan` records, one entry per logged step."""

    step: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    g_grad: list[float] = field(default_factory=list)

    def append(self, *, step: int, d_loss: float, g_loss: float, g_grad: float) -> None:
        self.step.append(step)
        self.d_loss.append(d_loss)
        self.g_loss.append(g_loss)
        self.g_grad.append(g_grad)

    def __len__(self) -> int:
        return len(self.step)

    def as_dict(self) -> dict:
        return {name: list(values) for name, values in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict) -> History:
        return cls(**{f.name: list(values[f.name]) for f in fields(cls)})


def _draw_real(data, n, generator, device) -> torch.Tensor:
    """n real samples, (n, dim), from a sampler `data(n, generator=...)` or rows of a tensor."""
    if isinstance(data, torch.Tensor):
        rows = torch.randint(len(data), (n,), generator=generator)  # (n,)
        return data[rows.to(data.device)].to(device)
    return data(n, generator=generator).to(device)


def train_gan(
    G,
    D,
    data,
    *,
    d_loss,
    g_loss,
    steps,
    batch_size=256,
    lr=2e-4,
    betas=(0.5, 0.999),
    d_steps=1,
    lr_decay=0.0,
    seed=0,
    checkpoint=None,
    checkpoint_every=500,
    log_every=10,
    progress=True,
    desc="training",
) -> History:
    """Train G against D for `steps` iterations of Algorithm 1 (Goodfellow et al. 2014).

    Args:
        G, D: the generator (with a `sample_z(n, generator=...)` method) and the discriminator,
            already on the device to train on; the device is read from G's parameters.
        data: a sampler `data(n, generator=...) -> (n, dim)` such as `GaussianMixture.sample`,
            or a tensor of samples from which random rows are drawn each step.
        d_loss, g_loss: loss functions of logits, e.g. `losses.d_loss_bce` and
            `losses.g_loss_nonsaturating`.
        steps: total number of iterations (including those done before a resume).
        lr, betas: Adam settings for both networks (the DCGAN defaults, Radford et al. 2016).
        d_steps: discriminator updates per generator update (the paper's k).
        lr_decay: the fraction of the last steps over which both learning rates fall linearly
            to 0 (0 keeps them constant). Annealing lets the generator settle on the modes
            instead of orbiting them.
        seed: seeds everything (`seed_everything`); data and noise come from its generator.
        checkpoint: a path. If the file exists, training resumes from it; it is (re)written
            every `checkpoint_every` steps and at the end.
        log_every: record the losses and G's gradient norm every `log_every` steps.

    Returns the `History` of logged steps (including those from before a resume).
    """
    if steps < 0:
        raise ValueError(f"expected steps >= 0, got {steps}")
    for name, value in [
        ("batch_size", batch_size),
        ("d_steps", d_steps),
        ("log_every", log_every),
        ("checkpoint_every", checkpoint_every),
    ]:
        if value < 1:
            raise ValueError(f"expected {name} >= 1, got {value}")
    if not 0 <= lr_decay <= 1:
        raise ValueError(f"expected lr_decay in [0, 1], got {lr_decay}")
    device = next(G.parameters()).device
    generator = seed_everything(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    history = History()
    start = 0

    if checkpoint is not None and os.path.exists(checkpoint):
        state = load_checkpoint(checkpoint, G=G, D=D, opt_g=opt_g, opt_d=opt_d)
        if "step" not in state or "generator_state" not in state:
            raise ValueError(f"checkpoint {checkpoint} was not written by train_gan: cannot resume")
        start = state["step"]
        history = History.from_dict(state["history"])
        generator.set_state(state["generator_state"])
        torch.set_rng_state(state["torch_rng_state"])

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
        )

    bar = tqdm(range(start, steps), initial=start, total=steps, desc=desc, disable=not progress)
    for step in bar:
        if lr_decay:  # a function of the step alone, so a resumed run follows the same schedule
            for optimizer in (opt_g, opt_d):
                for group in optimizer.param_groups:
                    group["lr"] = lr * min(1.0, (steps - step) / (lr_decay * steps))
        for _ in range(d_steps):
            real = _draw_real(data, batch_size, generator, device)  # (B, dim)
            z = G.sample_z(batch_size, generator=generator)  # (B, z_dim)
            d_value = d_step(G, D, opt_d, real, z, d_loss)
        z = G.sample_z(batch_size, generator=generator)  # (B, z_dim)
        g_value, g_grad = g_step(G, D, opt_g, z, g_loss)

        if step % log_every == 0:
            history.append(step=step, d_loss=d_value, g_loss=g_value, g_grad=g_grad)
            bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}", refresh=False)
        if checkpoint is not None and (step + 1) % checkpoint_every == 0:
            save(step + 1)  # the step to start from when resuming

    if checkpoint is not None and steps > start and steps % checkpoint_every != 0:
        save(steps)
    return history


def _signature(model) -> dict:
    """What a checkpoint remembers about a network: its class, settings and tensor shapes."""
    return {
        "class": type(model).__name__,
        "config": model.extra_repr(),
        "shapes": {name: list(t.shape) for name, t in model.state_dict().items()},
    }


def _check_signature(path, saved: dict, model) -> None:
    """Raise a ValueError that says what differs when `model` cannot take the saved weights."""
    current = _signature(model)
    saved_name = f"{saved['class']}({saved['config']})"
    this_name = f"{current['class']}({current['config']})"
    where = f"checkpoint {path} was saved from {saved_name}"
    if saved["class"] != current["class"]:
        raise ValueError(f"{where}; it cannot be loaded into {this_name}")
    for name, shape in saved["shapes"].items():
        if name not in current["shapes"]:
            raise ValueError(f"{where} with parameter {name}; this {this_name} has no {name}")
        if list(shape) != current["shapes"][name]:
            raise ValueError(
                f"{where} with parameter {name} of shape {tuple(shape)}; "
                f"this {this_name} has {tuple(current['shapes'][name])}"
            )
    for name in current["shapes"]:
        if name not in saved["shapes"]:
            raise ValueError(f"{where}, which has no parameter {name}; this {this_name} does")


def save_checkpoint(path, *, G, D, opt_g=None, opt_d=None, **extra) -> None:
    """Write G, D, their optimisers and any `extra` fields (tensors, numbers, lists, dicts).

    The file is written to a temporary name and renamed, so an interrupted save never leaves a
    half-written checkpoint behind.
    """
    payload = {
        "format": CHECKPOINT_FORMAT,
        "G": G.state_dict(),
        "D": D.state_dict(),
        "G_signature": _signature(G),
        "D_signature": _signature(D),
        "opt_g": None if opt_g is None else opt_g.state_dict(),
        "opt_d": None if opt_d is None else opt_d.state_dict(),
        "extra": extra,
    }
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pt")
    os.close(fd)
    try:
        torch.save(payload, tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        os.remove(tmp_path)
        raise


def load_checkpoint(path, *, G, D, opt_g=None, opt_d=None) -> dict:
    """Load weights (and optimiser states, if given) saved by `save_checkpoint`.

    Returns the `extra` fields. Raises FileNotFoundError for a missing file and ValueError for
    a corrupt file or one saved from differently shaped networks.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise ValueError(
            f"could not read checkpoint {path}: it is corrupt or not a gankit checkpoint"
        ) from err
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"could not read checkpoint {path}: it is corrupt or not a gankit checkpoint"
        )

    _check_signature(path, payload["G_signature"], G)
    _check_signature(path, payload["D_signature"], D)
    G.load_state_dict(payload["G"])
    D.load_state_dict(payload["D"])
    for name, optimizer in (("opt_g", opt_g), ("opt_d", opt_d)):
        if optimizer is None:
            continue
        if payload[name] is None:
            raise ValueError(f"checkpoint {path} has no {name} state to load")
        optimizer.load_state_dict(payload[name])
    return payload["extra"]
