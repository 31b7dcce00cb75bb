"""Wasserstein GANs, and the four ways to keep a critic (or any discriminator) smooth.

A critic f is the discriminator of a WGAN: the same network, its output read as a score with
no sigmoid (`losses.d_loss_wasserstein`). The duality behind its loss holds only for a
1-Lipschitz f, |f(x) - f(y)| <= |x - y|, so every WGAN constrains it:

    clip_weights      Arjovsky, Chintala and Bottou 2017, "Wasserstein GAN", Algorithm 1:
                      clamp every weight to [-c, c] after each critic step (c = 0.01,
                      n_critic = 5, RMSProp with lr 5e-5). Crude: a clipped critic uses
                      little of its capacity, and c trades vanishing for exploding gradients.
    gradient_penalty  Gulrajani et al. 2017, "Improved Training of Wasserstein GANs",
                      Algorithm 1: lambda E[(|grad f(x_hat)|_2 - 1)^2] on random interpolates
                      x_hat = eps x + (1 - eps) G(z), eps ~ U[0, 1] (lambda = 10, n_critic = 5,
                      Adam with lr 1e-4 and betas (0, 0.9)).
    r1_penalty        Mescheder, Geiger and Nowozin 2018, "Which Training Methods for GANs do
                      actually Converge?", Eq. (9): gamma / 2 E_{P_r}[|grad D(x)|^2], on real
                      samples only; it serves any loss.
    spectral_norm     Miyato et al. 2018, "Spectral Normalization for Generative Adversarial
                      Networks": every weight W divided by its largest singular value sigma(W),
                      estimated by one step of power iteration per forward pass (their
                      Algorithm 1; `power_iteration`). Through PyTorch's own parametrisation.

Code (paper): D (f, f_w or D), d_steps of `train_gan` (n_critic), gp_weight (lambda),
r1_weight (gamma), clip (c).
"""

import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.models.dcgan import discriminator_block
from gankit.training import autocast_for, update


def clip_weights(D: nn.Module, clip: float = 0.01) -> None:
    """Clamp every parameter of D to [-clip, clip] in place (Arjovsky et al. 2017, Algorithm 1)."""
    if clip <= 0:
        raise ValueError(f"expected clip > 0, got {clip}")
    with torch.no_grad():
        for p in D.parameters():
            p.clamp_(-clip, clip)


def gradient_penalty(D, real, fake, *, generator=None) -> torch.Tensor:
    """E[(|grad_x D(x_hat)|_2 - 1)^2] on interpolates of real and fake (Gulrajani et al. 2017).

    x_hat = eps * real + (1 - eps) * fake with one eps ~ U[0, 1] per sample. The gradient is
    taken with `create_graph=True`, so that the penalty, a function of the gradient, can itself
    be differentiated with respect to D's weights; without it the penalty would not train D.
    """
    _check_pair(real, fake)
    shape = (real.shape[0],) + (1,) * (real.ndim - 1)  # (B, 1, ...): one eps per sample
    device = real.device if generator is None else generator.device
    eps = torch.rand(shape, generator=generator, device=device).to(real)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)  # (B, ...)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)  # (B, ...)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def r1_penalty(D, real, *, real_logits=None) -> torch.Tensor:
    """E[|grad_x D(x)|^2] on real samples (Mescheder et al. 2018, Eq. 9, without gamma / 2).

    `real_logits`: D(real) already computed on a `real` that requires grad, to reuse that
    forward pass (and D's batch-norm update) rather than run D on the batch again.
    """
    if real_logits is None:
        real = real.detach().requires_grad_(True)  # (B, ...)
        real_logits = D(real)
    elif not real.requires_grad:
        raise ValueError("real_logits must come from a `real` that requires grad")
    (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)  # (B, ...)
    return grad.flatten(1).pow(2).sum(1).mean()


def power_iteration(weight, u, *, eps=1e-12):
    """One step of power iteration on W (out, ...), flattened to (out, in); returns (sigma, u, v).

    v = W^T u / |W^T u|, u = W v / |W v|, sigma = u^T W v (Miyato et al. 2018, Algorithm 1).
    Repeated, u and v converge to the first singular vectors and sigma to the largest singular
    value; keeping u between training steps makes one step per forward pass enough. (PyTorch's
    `spectral_norm` does the same two updates in the other order, u from its stored v first;
    once converged, both give the same sigma.)
    """
    matrix = weight.flatten(1)  # (out, in)
    if u.shape != (matrix.shape[0],):
        raise ValueError(f"expected u of shape ({matrix.shape[0]},) for W {tuple(weight.shape)}, "
                         f"got {tuple(u.shape)}")  # fmt: skip
    v = F.normalize(matrix.t() @ u, dim=0, eps=eps)  # (in,)
    u = F.normalize(matrix @ v, dim=0, eps=eps)  # (out,)
    return u @ matrix @ v, u, v


def spectral_norm(D: nn.Module) -> nn.Module:
    """D with every linear and convolution weight spectrally normalised, in place; returns D.

    Uses `torch.nn.utils.parametrizations.spectral_norm` (one power iteration per training
    forward pass, as in the paper). Call it before the optimiser is built: the weights become
    parametrisations with new parameter names.
    """
    layers = [m for m in D.modules() if isinstance(m, nn.Linear | nn.Conv2d | nn.ConvTranspose2d)]
    if not layers:
        raise ValueError(f"expected a network with Linear or Conv layers, got {type(D).__name__}")
    for layer in layers:
        nn.utils.parametrizations.spectral_norm(layer)
    return D


def critic_block(in_channels: int, out_channels: int, *, batch_norm=True) -> nn.Sequential:
    """DCGAN's discriminator block without batch norm, whatever `batch_norm` says.

    For `DCGANDiscriminator(block=critic_block)`. The gradient penalty is a per-sample
    constraint, and batch norm makes each sample's score depend on the rest of the batch, so the
    WGAN-GP critic has none (Gulrajani et al. 2017, Section 4; they suggest layer norm instead).
    """
    return discriminator_block(in_channels, out_channels, batch_norm=False)


def d_step(G, D, opt_d, real, z, *, d_loss=losses.d_loss_wasserstein, gp_weight=0.0,
           r1_weight=0.0, clip=None) -> float:  # fmt: skip
    """One critic (or discriminator) update with the chosen regularisers; returns the loss.

    loss = d_loss(D(x), D(G(z))) + gp_weight * gradient_penalty + r1_weight / 2 * r1_penalty,
    then, with `clip`, the weights are clipped (after the step, as in Algorithm 1 of WGAN).
    Pass it to `train_gan` with `functools.partial` and `d_steps=5` (n_critic).
    """
    with autocast_for(real.device):
        fake = G(z).detach()  # (B, ...) like real; no gradient flows back into G
        loss = d_loss(D(real), D(fake))
        if gp_weight:
            loss = loss + gp_weight * gradient_penalty(D, real, fake)
        if r1_weight:
            loss = loss + r1_weight / 2 * r1_penalty(D, real)
    value = update(opt_d, loss)
    if clip is not None:
        clip_weights(D, clip)
    return value


def _check_pair(real, fake):
    if real.shape != fake.shape:
        raise ValueError(f"expected real and fake samples of the same shape, got "
                         f"{tuple(real.shape)} and {tuple(fake.shape)}")  # fmt: skip
