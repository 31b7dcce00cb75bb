"""GAN models, one module per family."""

from gankit.models import conditional, infogan, self_conditioned, wgan
from gankit.models.conditional import (
    AuxiliaryDiscriminator,
    ConditionalDiscriminator,
    ConditionalGenerator,
    ProjectionDiscriminator,
)
from gankit.models.dcgan import (
    DCGANDiscriminator,
    DCGANGenerator,
    discriminator_block,
    generator_block,
    init_weights,
)
from gankit.models.infogan import InfoGANDiscriminator, InfoGANGenerator, QHead
from gankit.models.mlp import (
    MLPDiscriminator,
    MLPGenerator,
    MLPImageDiscriminator,
    MLPImageGenerator,
)
from gankit.models.pacgan import Packed

__all__ = [
    "AuxiliaryDiscriminator",
    "ConditionalDiscriminator",
    "ConditionalGenerator",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "InfoGANDiscriminator",
    "InfoGANGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "MLPImageDiscriminator",
    "MLPImageGenerator",
    "Packed",
    "ProjectionDiscriminator",
    "QHead",
    "conditional",
    "discriminator_block",
    "generator_block",
    "infogan",
    "init_weights",
    "self_conditioned",
    "wgan",
]
