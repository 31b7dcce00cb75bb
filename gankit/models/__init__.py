"""GAN models, one module per family."""

from gankit.models.mlp import MLPDiscriminator, MLPGenerator
from gankit.models.pacgan import Packed

__all__ = ["MLPDiscriminator", "MLPGenerator", "Packed"]
