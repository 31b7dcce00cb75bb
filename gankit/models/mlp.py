"""Fully connected generators and discriminators, for toy data and for small images.

The architecture of the original GAN experiments (Goodfellow et al. 2014, "Generative
Adversarial Nets": fully connected nets on MNIST) and of the 2-D mode-collapse benchmarks
(Srivastava et al. 2017, VEEGAN).
Code (paper): MLPGenerator, MLPImageGenerator (G), MLPDiscriminator, MLPImageDiscriminator (D),
z (the latent code z ~ p_z = N(0, I)).
"""

import math

import torch
from torch import nn


def sample_latent(module: nn.Module, n: int, z_dim: int, generator=None) -> torch.Tensor:
    """n latent codes z ~ N(0, I), shape (n, z_dim), on `module`'s device.

    Drawn on the generator's device (CPU without one), then moved, so a seeded CPU
    generator gives the same codes whether the model lives on CPU or GPU.
    """
    device = next(module.parameters()).device
    gen_device = generator.device if generator is not None else device
    z = torch.randn(n, z_dim, generator=generator, device=gen_device)  # (n, z_dim)
    return z.to(device)


class MLPGenerator(nn.Module):
    """G: z -> x, `depth` hidden layers of width `hidden`, [Linear -> ReLU] * depth -> Linear.

    There is no output activation: toy data is unbounded (unlike images in [-1, 1], where a
    final tanh is used).
    """

    def __init__(self, z_dim=2, out_dim=2, hidden=128, depth=3):
        super().__init__()
        if depth < 1:
            raise ValueError(f"expected depth >= 1, got {depth}")
        self.z_dim = z_dim
        self.out_dim = out_dim
        self.hidden = hidden
        self.depth = depth
        layers = [nn.Linear(z_dim, hidden), nn.ReLU()]  # (B, z_dim) -> (B, hidden)
        for _ in range(depth - 1):
            layers += [nn.Linear(hidden, hidden), nn.ReLU()]  # (B, hidden) -> (B, hidden)
        layers.append(nn.Linear(hidden, out_dim))  # (B, hidden) -> (B, out_dim)
        self.net = nn.Sequential(*layers)

    def sample_z(self, n, generator=None) -> torch.Tensor:
        """n latent codes z ~ N(0, I), shape (n, z_dim), on this module's device."""
        return sample_latent(self, n, self.z_dim, generator)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(
                f"expected latent codes of shape (B, {self.z_dim}), got {tuple(z.shape)}"
            )
        return self.net(z)  # (B, out_dim)

    def extra_repr(self) -> str:
        return (
            f"z_dim={self.z_dim}, out_dim={self.out_dim}, hidden={self.hidden}, depth={self.depth}"
        )


class MLPDiscriminator(nn.Module):
    """D: x -> logit, [Linear -> LeakyReLU(0.2)] * depth -> Linear(hidden, 1).

    Returns logits l of shape (B,); the paper's D(x) is sigmoid(l). The losses in
    `gankit.losses` take logits, which keeps them numerically stable.
    """

    def __init__(self, in_dim=2, hidden=128, depth=3):
        super().__init__()
        if depth < 1:
            raise ValueError(f"expected depth >= 1, got {depth}")
        self.in_dim = in_dim
        self.hidden = hidden
        self.depth = depth
        layers = [nn.Linear(in_dim, hidden), nn.LeakyReLU(negative_slope=0.2)]  # (B, hidden)
        for _ in range(depth - 1):
            layers += [nn.Linear(hidden, hidden), nn.LeakyReLU(negative_slope=0.2)]  # (B, hidden)
        layers.append(nn.Linear(hidden, 1))  # (B, 1)
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"expected samples of shape (B, {self.in_dim}), got {tuple(x.shape)}")
        return self.net(x).squeeze(1)  # (B, 1) -> (B,)

    def extra_repr(self) -> str:
        return f"in_dim={self.in_dim}, hidden={self.hidden}, depth={self.depth}"


def _check_image_shape(image_shape) -> tuple[int, int, int]:
    if len(image_shape) != 3 or min(image_shape) < 1:
        raise ValueError(f"expected image_shape (C, H, W) of positive sizes, got {image_shape}")
    return tuple(int(size) for size in image_shape)


class MLPImageGenerator(nn.Module):
    """G: z -> image, [Linear -> LeakyReLU(0.2)] * depth -> Linear -> tanh, reshaped.

    The fully connected image generator of Goodfellow et al. 2014 (their MNIST model), with
    LeakyReLU for its hidden units. tanh puts pixels in [-1, 1], the range of gankit's images.
    """

    def __init__(self, z_dim=64, image_shape=(1, 28, 28), hidden=256, depth=2):
        super().__init__()
        if depth < 1:
            raise ValueError(f"expected depth >= 1, got {depth}")
        self.z_dim = z_dim
        self.image_shape = _check_image_shape(image_shape)
        self.hidden = hidden
        self.depth = depth
        layers = [nn.Linear(z_dim, hidden), nn.LeakyReLU(negative_slope=0.2)]  # (B, hidden)
        for _ in range(depth - 1):
            layers += [nn.Linear(hidden, hidden), nn.LeakyReLU(negative_slope=0.2)]  # (B, hidden)
        layers += [nn.Linear(hidden, math.prod(self.image_shape)), nn.Tanh()]  # (B, C*H*W)
        self.net = nn.Sequential(*layers)

    def sample_z(self, n, generator=None) -> torch.Tensor:
        """n latent codes z ~ N(0, I), shape (n, z_dim), on this module's device."""
        return sample_latent(self, n, self.z_dim, generator)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(
                f"expected latent codes of shape (B, {self.z_dim}), got {tuple(z.shape)}"
            )
        return self.net(z).view(len(z), *self.image_shape)  # (B, C, H, W), in [-1, 1]

    def extra_repr(self) -> str:
        return (
            f"z_dim={self.z_dim}, image_shape={self.image_shape}, hidden={self.hidden}, "
            f"depth={self.depth}"
        )


class MLPImageDiscriminator(nn.Module):
    """D: image -> logit, flatten -> [Linear -> LeakyReLU(0.2)] * depth -> Linear(hidden, 1).

    Returns logits of shape (B,), as `MLPDiscriminator` does.
    """

    def __init__(self, image_shape=(1, 28, 28), hidden=256, depth=2):
        super().__init__()
        if depth < 1:
            raise ValueError(f"expected depth >= 1, got {depth}")
        self.image_shape = _check_image_shape(image_shape)
        self.hidden = hidden
        self.depth = depth
        in_dim = math.prod(self.image_shape)
        layers = [nn.Flatten()]  # (B, C*H*W)
        layers += [nn.Linear(in_dim, hidden), nn.LeakyReLU(negative_slope=0.2)]  # (B, hidden)
        for _ in range(depth - 1):
            layers += [nn.Linear(hidden, hidden), nn.LeakyReLU(negative_slope=0.2)]  # (B, hidden)
        layers.append(nn.Linear(hidden, 1))  # (B, 1)
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(
                f"expected images of shape (B, {', '.join(map(str, self.image_shape))}), "
                f"got {tuple(x.shape)}"
            )
        return self.net(x).squeeze(1)  # (B, 1) -> (B,)

    def extra_repr(self) -> str:
        return f"image_shape={self.image_shape}, hidden={self.hidden}, depth={self.depth}"
