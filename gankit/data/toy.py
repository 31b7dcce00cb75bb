"""Toy distributions for GAN experiments: mixtures of Gaussians in 1-D and 2-D.

The 8-Gaussian ring and the 25-Gaussian grid are the standard mode-collapse benchmarks of
VEEGAN (Srivastava et al. 2017, "VEEGAN: Reducing Mode Collapse in GANs using Implicit
Variational Learning") and PacGAN (Lin et al. 2018, "PacGAN: The power of two samples in
generative adversarial networks"). A mixture knows its own density, so we can plot the true
distribution under the generator's samples and measure which modes were captured
(see `gankit.metrics.mode_coverage`).
"""

from __future__ import annotations

import math

import torch
from torch.utils.data import TensorDataset


class GaussianMixture:
    """A weighted mixture of isotropic Gaussians in any dimension.

    p(x) = sum_k w_k N(x; c_k, s_k^2 I)

    Args:
        centers: (K, dim) array-like, the component means c_k.
        std: a float shared by all components, or (K,) per-component standard deviations s_k.
        weights: (K,) non-negative mixing weights w_k (normalised to sum to 1), or None for
            equal weights.
    """

    def __init__(self, centers, std, weights=None):
        centers = torch.as_tensor(centers, dtype=torch.float32)
        if centers.ndim != 2 or centers.shape[0] == 0 or centers.shape[1] == 0:
            raise ValueError(
                f"expected centers of shape (K, dim) with K, dim >= 1, got {tuple(centers.shape)}"
            )
        n_modes = centers.shape[0]

        std = torch.as_tensor(std, dtype=torch.float32)
        if std.ndim == 0:
            std = std.expand(n_modes)
        if std.shape != (n_modes,):
            raise ValueError(
                f"expected std to be a float or of shape ({n_modes},), got {tuple(std.shape)}"
            )
        if not bool((std > 0).all()):
            raise ValueError(f"expected every std > 0, got {std.tolist()}")

        if weights is None:
            weights = torch.ones(n_modes)
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.shape != (n_modes,):
            raise ValueError(f"expected weights of shape ({n_modes},), got {tuple(weights.shape)}")
        if bool((weights < 0).any()) or not float(weights.sum()) > 0:
            raise ValueError(
                f"expected non-negative weights with a positive sum, got {weights.tolist()}"
            )

        self.centers = centers.clone()  # (K, dim)
        self.std = std.clone()  # (K,)
        self.weights = weights / weights.sum()  # (K,), sums to 1

    @property
    def dim(self) -> int:
        return self.centers.shape[1]

    @property
    def n_modes(self) -> int:
        return self.centers.shape[0]

    def sample(self, n, generator=None, device=None) -> torch.Tensor:
        """Draw n points, (n, dim) float32.

        Pick a component k ~ Categorical(w) for each point, then x = c_k + s_k * eps with
        eps ~ N(0, I). All randomness comes from `generator` (a `torch.Generator`), so the same
        generator state gives the same samples. Sampling happens on the generator's device and
        the result is moved to `device` (default: the generator's device, CPU without one).
        """
        gen_device = generator.device if generator is not None else torch.device("cpu")
        weights = self.weights.to(gen_device)
        k = torch.multinomial(weights, n, replacement=True, generator=generator)  # (n,)
        eps = torch.randn(n, self.dim, generator=generator, device=gen_device)  # (n, dim)
        x = self.centers.to(gen_device)[k] + self.std.to(gen_device)[k, None] * eps  # (n, dim)
        return x if device is None else x.to(device)

    def log_prob(self, x) -> torch.Tensor:
        """log p(x) for points x of shape (N, dim); returns (N,), on x's device.

        log p(x) = logsumexp_k [ log w_k - dim/2 log(2 pi s_k^2) - |x - c_k|^2 / (2 s_k^2) ]
        """
        x = torch.as_tensor(x, dtype=torch.float32)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected points of shape (N, {self.dim}), got {tuple(x.shape)}")
        centers = self.centers.to(x.device)  # (K, dim)
        var = self.std.to(x.device) ** 2  # (K,)
        sq_dist = ((x[:, None, :] - centers[None, :, :]) ** 2).sum(-1)  # (N, K)
        log_norm = -0.5 * self.dim * torch.log(2 * math.pi * var)  # (K,)
        log_w = torch.log(self.weights.to(x.device))  # (K,), -inf for zero weights
        return torch.logsumexp(log_w + log_norm - sq_dist / (2 * var), dim=1)  # (N,)

    def pdf(self, x) -> torch.Tensor:
        """p(x) for points x of shape (N, dim); returns (N,)."""
        return self.log_prob(x).exp()

    def dataset(self, n, seed=0) -> TensorDataset:
        """A fixed data set of n samples (reproducible from `seed`), for DataLoader-style code."""
        generator = torch.Generator().manual_seed(seed)
        return TensorDataset(self.sample(n, generator=generator))

    def __repr__(self) -> str:
        std = self.std
        std_text = f"{std[0].item():g}" if bool((std == std[0]).all()) else str(std.tolist())
        uniform = bool(
            torch.allclose(self.weights, torch.full_like(self.weights, 1 / self.n_modes))
        )
        weights_text = (
            "" if uniform else f", weights={[round(w, 4) for w in self.weights.tolist()]}"
        )
        return (
            f"GaussianMixture(n_modes={self.n_modes}, dim={self.dim}, std={std_text}{weights_text})"
        )


def mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5), weights=None) -> GaussianMixture:
    """A 1-D mixture, e.g. the two Gaussians on which lesson 01 derives the optimal D*."""
    if len(means) != len(stds):
        raise ValueError(f"expected one std per mean, got {len(means)} means and {len(stds)} stds")
    return GaussianMixture([[m] for m in means], std=stds, weights=weights)


def ring(n_modes=8, radius=2.0, std=0.02) -> GaussianMixture:
    """`n_modes` Gaussians evenly spaced on a circle, centres at angles 2 pi k / n_modes."""
    angles = 2 * math.pi * torch.arange(n_modes, dtype=torch.float64) / n_modes  # (K,)
    centers = radius * torch.stack([angles.cos(), angles.sin()], dim=1)  # (K, 2)
    return GaussianMixture(centers, std=std)


def grid(side=5, spacing=2.0, std=0.05) -> GaussianMixture:
    """side x side Gaussians on a square grid centred on 0 ({-4, -2, 0, 2, 4}^2 by default)."""
    coords = (torch.arange(side, dtype=torch.float64) - (side - 1) / 2) * spacing  # (side,)
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")  # (side, side) each
    centers = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)  # (side^2, 2)
    return GaussianMixture(centers, std=std)
