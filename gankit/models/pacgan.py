"""PacGAN packing: the discriminator judges several samples at once.

Lin et al. 2018, "PacGAN: The power of two samples in generative adversarial networks".
A packed discriminator sees `packing` samples, all real or all generated, concatenated into
one input. A generator that covers only a few modes produces packs that look alike, which a
single sample cannot reveal but a pack can: packing penalises mode collapse. The paper packs
2 to 4 samples; the rest of the GAN (losses, training loop) is unchanged.
"""

import torch
from torch import nn


class Packed(nn.Module):
    """Wraps a discriminator whose input is `packing` samples side by side.

    `Packed(MLPDiscriminator(in_dim=2 * 2), packing=2)` takes a batch of 2-D samples of shape
    (B, 2) and returns B / 2 logits, one per pack of two consecutive samples.
    """

    def __init__(self, discriminator: nn.Module, packing: int = 2):
        super().__init__()
        if packing < 1:
            raise ValueError(f"expected packing >= 1, got {packing}")
        self.discriminator, self.packing = discriminator, packing

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 2 or len(x) % self.packing:
            raise ValueError(
                f"expected a batch (B, ...) with B a multiple of packing={self.packing}, "
                f"got shape {tuple(x.shape)}"
            )
        packs = x.reshape(len(x) // self.packing, -1)  # (B / packing, packing * features)
        return self.discriminator(packs)  # (B / packing,)

    def extra_repr(self) -> str:
        return f"packing={self.packing}"
