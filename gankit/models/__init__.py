"""GAN models, one module per family."""

from gankit.models.dcgan import (
    DCGANDiscriminator,
    DCGANGenerator,
    discriminator_block,
    generator_block,
    init_weights,
)
from gankit.models.mlp import (
    MLPDiscriminator,
    MLPGenerator,
    MLPImageDiscriminator,
    MLPImageGenerator,
)
from gankit.models.pacgan import Packed

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "MLPImageDiscriminator",
    "MLPImageGenerator",
    "Packed",
    "discriminator_block",
    "generator_block",
    "init_weights",
]
