"""DCGAN: deep convolutional generator and discriminator for images.

Radford, Metz and Chintala 2016, "Unsupervised Representation Learning with Deep Convolutional
Generative Adversarial Networks", Section 3, "Architecture guidelines for stable DCGANs":

1. Replace pooling layers with strided convolutions (D) and fractional-strided convolutions,
   here `nn.ConvTranspose2d` with stride 2 (G): the networks learn their own up- and
   down-sampling.
2. Use batch normalisation in both G and D, except at G's output layer and D's input layer
   (normalising those made training oscillate in the paper).
3. Remove fully connected hidden layers: z is projected to a small stack of feature maps
   (a transposed convolution of a 1x1 map, which is the paper's "project and reshape"), and D
   ends with a convolution to a single logit.
4. Use ReLU in G for all layers except the output, which uses tanh (images live in [-1, 1]).
5. Use LeakyReLU (slope 0.2) in D for all layers.

Training details from Section 4: weights initialised from N(0, 0.02) (`init_weights`), Adam
with lr = 2e-4 and beta_1 = 0.5 (`training.train_gan`'s defaults), batch size 128.

Layers follow pytorch/examples `dcgan/main.py`, whose 64x64 networks (nz=100, ngf=ndf=64,
nc=3) are `DCGANGenerator(z_dim=100, channels=3, size=64, width=64)` (3,576,704 parameters)
and `DCGANDiscriminator(channels=3, size=64, width=64)` (2,765,568). As there, no convolution
has a bias: a BatchNorm after it has its own shift, and the reference leaves the first and
last layers without one too.
Code (paper / pytorch/examples): DCGANGenerator (G / netG), DCGANDiscriminator (D / netD),
z_dim (|z| / nz), width (the channels of G's last hidden layer and D's first / ngf, ndf).
"""

import torch
from torch import nn

from gankit.models.mlp import sample_latent

# The side of the smallest feature map, from which G grows and to which D shrinks by halving:
# 28 = 7 * 2 * 2 (MNIST), 32 = 4 * 2^3 (CIFAR-10), 64 = 4 * 2^4 (the paper's LSUN, CelebA).
BASE_SIZE = {28: 7, 32: 4, 64: 4}


def generator_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """ConvTranspose2d(k=4, s=2, p=1) -> BatchNorm2d -> ReLU (guidelines 1, 2, 4): 2x H, W."""
    return nn.Sequential(
        nn.ConvTranspose2d(
            in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False
        ),  # (B, out_channels, 2H, 2W)
        nn.BatchNorm2d(out_channels),  # (B, out_channels, 2H, 2W)
        nn.ReLU(inplace=True),  # (B, out_channels, 2H, 2W)
    )


def discriminator_block(in_channels: int, out_channels: int, *, batch_norm=True) -> nn.Sequential:
    """Conv2d(k=4, s=2, p=1) -> [BatchNorm2d] -> LeakyReLU(0.2) (guidelines 1, 2, 5): H/2, W/2.

    D's first block has `batch_norm=False`: guideline 2 keeps D's input layer unnormalised.
    """
    layers = [
        nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False)
    ]  # (B, out_channels, H/2, W/2)
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))  # (B, out_channels, H/2, W/2)
    layers.append(nn.LeakyReLU(negative_slope=0.2, inplace=True))  # (B, out_channels, H/2, W/2)
    return nn.Sequential(*layers)


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation, for `model.apply(init_weights)` (Radford et al. 2016, Section 4).

    (Transposed) convolution weights ~ N(0, 0.02), as in the paper; BatchNorm scale
    ~ N(1, 0.02) and shift 0, as in pytorch/examples (the paper does not say).
    """
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, mean=1.0, std=0.02)
        nn.init.zeros_(module.bias)


def _check_settings(size: int, **positive) -> int:
    """The number of stride-2 blocks between the base map and the image (before the last layer)."""
    if size not in BASE_SIZE:
        raise ValueError(f"expected size 28, 32 or 64, got {size}")
    for name, value in positive.items():
        if value < 1:
            raise ValueError(f"expected {name} >= 1, got {value}")
    return (size // BASE_SIZE[size]).bit_length() - 2  # 28: 1, 32: 2, 64: 3


class DCGANGenerator(nn.Module):
    """G: z (B, z_dim) -> images (B, channels, size, size) in [-1, 1].

    For size=64, width=64 (pytorch/examples' netG), with n = 3 blocks:

        z as (B, 100, 1, 1) -> project (B, 512, 4, 4) -> (B, 256, 8, 8) -> (B, 128, 16, 16)
        -> (B, 64, 32, 32) -> to_image (B, 3, 64, 64)

    size=32 starts at (B, width*4, 4, 4) with 2 blocks; size=28 at (B, width*2, 7, 7) with one.
    `block(in_channels, out_channels)` builds each block: `generator_block`, or a lesson's own.
    """

    def __init__(self, z_dim=100, channels=1, size=28, width=64, block=generator_block):
        super().__init__()
        n_blocks = _check_settings(size, z_dim=z_dim, channels=channels, width=width)
        self.z_dim, self.channels, self.size, self.width = z_dim, channels, size, width
        base, top = BASE_SIZE[size], width * 2**n_blocks
        # Guideline 3: no fully connected layer; a transposed convolution of the 1x1 map z.
        self.project = nn.Sequential(
            nn.ConvTranspose2d(
                z_dim, top, kernel_size=base, stride=1, padding=0, bias=False
            ),  # (B, width * 2^n, base, base)
            nn.BatchNorm2d(top),  # (B, width * 2^n, base, base)
            nn.ReLU(inplace=True),  # (B, width * 2^n, base, base)
        )
        self.blocks = nn.Sequential(
            *[block(width * 2 ** (i + 1), width * 2**i) for i in reversed(range(n_blocks))]
        )  # each block halves the channels and doubles H, W: (B, width, size/2, size/2)
        self.to_image = nn.Sequential(
            nn.ConvTranspose2d(
                width, channels, kernel_size=4, stride=2, padding=1, bias=False
            ),  # (B, channels, size, size); no BatchNorm at G's output (guideline 2)
            nn.Tanh(),  # (B, channels, size, size), in [-1, 1] (guideline 4)
        )
        self.apply(init_weights)

    def sample_z(self, n, generator=None) -> torch.Tensor:
        """n latent codes z ~ N(0, I), shape (n, z_dim), on this module's device."""
        return sample_latent(self, n, self.z_dim, generator)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(
                f"expected latent codes of shape (B, {self.z_dim}), got {tuple(z.shape)}"
            )
        x = self.project(z[:, :, None, None])  # (B, z_dim, 1, 1) -> (B, width * 2^n, base, base)
        x = self.blocks(x)  # (B, width, size/2, size/2)
        return self.to_image(x)  # (B, channels, size, size), in [-1, 1]

    def extra_repr(self) -> str:
        return f"z_dim={self.z_dim}, channels={self.channels}, size={self.size}, width={self.width}"


class DCGANDiscriminator(nn.Module):
    """D: images (B, channels, size, size) -> logits (B,); the paper's D(x) is sigmoid(logit).

    For size=64, width=64 (pytorch/examples' netD), with n = 3 blocks after the first:

        (B, 3, 64, 64) -> (B, 64, 32, 32) -> (B, 128, 16, 16) -> (B, 256, 8, 8)
        -> (B, 512, 4, 4) -> to_logit (B, 1, 1, 1)

    size=32 ends at (B, width*4, 4, 4) and size=28 at (B, width*2, 7, 7) before `to_logit`.
    `block(in_channels, out_channels, batch_norm=...)` builds each block: `discriminator_block`,
    or a lesson's own.
    """

    def __init__(self, channels=1, size=28, width=64, block=discriminator_block):
        super().__init__()
        n_blocks = _check_settings(size, channels=channels, width=width)
        self.channels, self.size, self.width = channels, size, width
        base, top = BASE_SIZE[size], width * 2**n_blocks
        self.blocks = nn.Sequential(
            block(channels, width, batch_norm=False),  # (B, width, size/2, size/2)
            *[block(width * 2**i, width * 2 ** (i + 1)) for i in range(n_blocks)],
        )  # each later block doubles the channels and halves H, W: (B, width * 2^n, base, base)
        # Guideline 3: no fully connected layer; a convolution over the whole base map.
        self.to_logit = nn.Conv2d(
            top, 1, kernel_size=base, stride=1, padding=0, bias=False
        )  # (B, 1, 1, 1)
        self.apply(init_weights)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = (self.channels, self.size, self.size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f"expected images of shape (B, {self.channels}, {self.size}, {self.size}), "
                f"got {tuple(x.shape)}"
            )
        x = self.blocks(x)  # (B, width * 2^n, base, base)
        return self.to_logit(x).flatten()  # (B, 1, 1, 1) -> (B,)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, size={self.size}, width={self.width}"
