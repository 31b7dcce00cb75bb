"""Conditional GANs: ask for a class, get that class. Three ways to tell D the label.

Mirza and Osindero 2014, "Conditional Generative Adversarial Nets": feed the label y to both
networks, min_G max_D E[log D(x|y)] + E[log(1 - D(G(z|y)|y))] (their Eq. 2).

- G (all three): a learned label embedding e(y) is concatenated to z (`condition_latent`);
  the DCGAN generator takes the longer code.
- D by concatenation (`ConditionalDiscriminator`): e(y) is spread over the image as extra
  input channels (`condition_images`), the usual form of Mirza and Osindero's input
  concatenation for a convolutional D.
- Projection D (`ProjectionDiscriminator`; Miyato and Koyama 2018, "cGANs with Projection
  Discriminator", Eq. 3): logit = psi(phi(x)) + e(y) . phi(x) (`projection_logits`), an inner
  product between the label's embedding and D's features.
- Auxiliary classifier (`AuxiliaryDiscriminator`; Odena, Olah and Shlens 2017, "Conditional
  Image Synthesis with Auxiliary Classifier GANs", Eqs. 2-3): D sees only the image and
  predicts both real/fake and the class; `ac_d_step` and `ac_g_step` add the class
  cross-entropy on real and generated images to the adversarial losses.

A conditional G's latent is a pair `(z, labels)`: `sample_z` draws both, G(z, labels) draws the
images, and `training.train_gan(G, D, (images, labels), d_step=d_step, g_step=g_step)` trains
it (`ac_d_step` and `ac_g_step` for the auxiliary classifier).
Code (paper): embedding (y's representation, Miyato and Koyama's V or y^T V), features (phi(x)),
psi (psi), class_head (Odena's P(C | X)).
"""

import torch
from torch import nn

from gankit import losses
from gankit.models.dcgan import (
    BASE_SIZE,
    DCGANDiscriminator,
    DCGANGenerator,
    discriminator_block,
    generator_block,
    init_weights,
)
from gankit.models.mlp import sample_latent
from gankit.training import autocast_for, update


def condition_latent(
    z: torch.Tensor, labels: torch.Tensor, embedding: nn.Embedding
) -> torch.Tensor:
    """[z, e(y)]: the code z (B, z_dim) followed by the label's embedding (B, E): (B, z_dim + E)."""
    return torch.cat([z, embedding(labels)], dim=1)  # (B, z_dim + E)


def condition_images(images: torch.Tensor, labels: torch.Tensor, embedding: nn.Embedding):
    """The images (B, C, H, W) with e(y) (B, E) as E constant extra channels: (B, C + E, H, W)."""
    maps = embedding(labels)[:, :, None, None].expand(-1, -1, *images.shape[2:])  # (B, E, H, W)
    return torch.cat([images, maps], dim=1)  # (B, C + E, H, W)


def projection_logits(features, labels, psi: nn.Linear, embedding: nn.Embedding) -> torch.Tensor:
    """psi(phi(x)) + e(y) . phi(x), Miyato and Koyama 2018, Eq. 3: logits (B,).

    features phi(x) (B, F); psi maps F to 1 (the unconditional logit); e(y) (B, F).
    """
    return psi(features)[:, 0] + (embedding(labels) * features).sum(dim=1)  # (B,)


def _check_labels(labels, batch, num_classes):
    if labels.dtype != torch.long or labels.shape != (batch,):
        raise ValueError(f"expected labels as integers (torch.long) of shape ({batch},), got "
                         f"{labels.dtype} of shape {tuple(labels.shape)}")  # fmt: skip
    if batch and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"expected labels in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}"
        )


class ConditionalGenerator(nn.Module):
    """G: (z (B, z_dim), labels (B,)) -> images (B, channels, size, size) in [-1, 1].

    A DCGAN generator of the code [z, e(y)] (`condition(z, labels, embedding)`;
    `condition_latent` by default, or a lesson's own).
    """

    def __init__(self, z_dim=64, num_classes=10, embed_dim=16, channels=1, size=28, width=32,
                 block=generator_block, condition=condition_latent):  # fmt: skip
        super().__init__()
        self.z_dim, self.num_classes, self.condition = z_dim, num_classes, condition
        self.label_probs = None  # uniform labels in sample_z; not part of the state dict
        self.embedding = nn.Embedding(num_classes, embed_dim)  # e(y): (num_classes, E)
        self.net = DCGANGenerator(z_dim + embed_dim, channels, size, width, block=block)

    def sample_z(self, n, generator=None, labels=None) -> tuple[torch.Tensor, torch.Tensor]:
        """(z, labels): n codes z ~ N(0, I) (n, z_dim) and labels (n,), on this module's device.

        The labels are the ones given, else drawn with probabilities `label_probs`, a
        (num_classes,) tensor (e.g. the classes' frequencies in the data), or uniformly when
        it is None (the default)."""
        z = sample_latent(self, n, self.z_dim, generator)  # (n, z_dim)
        if labels is None:
            gen_device = generator.device if generator is not None else z.device
            if self.label_probs is None:
                labels = torch.randint(
                    self.num_classes, (n,), generator=generator, device=gen_device
                )
            else:
                probs = self.label_probs.to(gen_device)  # (num_classes,)
                labels = torch.multinomial(probs, n, replacement=True, generator=generator)
        return z, torch.as_tensor(labels, device=z.device)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"expected codes of shape (B, {self.z_dim}), got {tuple(z.shape)}")
        _check_labels(labels, len(z), self.num_classes)
        return self.net(self.condition(z, labels, self.embedding))  # (B, C, size, size)


class _LabelledImages(nn.Module):
    """Checks D's input: images (B, channels, size, size) and labels (B,)."""

    def _check(self, x, labels=None):
        expected = (self.channels, self.size, self.size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"expected images of shape (B, {', '.join(map(str, expected))}), "
                             f"got {tuple(x.shape)}")  # fmt: skip
        if labels is not None:
            _check_labels(labels, len(x), self.num_classes)


class ConditionalDiscriminator(_LabelledImages):
    """D: (images, labels) -> logits (B,); e(y) enters as extra input channels (concatenation)."""

    def __init__(self, num_classes=10, embed_dim=16, channels=1, size=28, width=32,
                 block=discriminator_block, condition=condition_images):  # fmt: skip
        super().__init__()
        self.num_classes, self.channels, self.size, self.condition = (
            num_classes,
            channels,
            size,
            condition,
        )
        self.embedding = nn.Embedding(num_classes, embed_dim)
        self.net = DCGANDiscriminator(channels + embed_dim, size, width, block=block)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self._check(x, labels)
        return self.net(self.condition(x, labels, self.embedding))  # (B,)


class FeatureDiscriminator(_LabelledImages):
    """DCGAN's D split in two, for heads that share its body: the blocks give the features
    phi(x) (B, F), F = width * 2^n * base^2, and `psi` (Linear(F, 1)) the unconditional logit."""

    def __init__(self, num_classes, channels, size, width, block):
        super().__init__()
        self.num_classes, self.channels, self.size = num_classes, channels, size
        self.blocks = DCGANDiscriminator(channels, size, width, block=block).blocks
        n_features = width * 2 ** (len(self.blocks) - 1) * BASE_SIZE[size] ** 2
        self.psi = nn.Linear(n_features, 1)  # the unconditional logit, as DCGAN's last layer

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(x).flatten(1)  # (B, width * 2^n, base, base) -> (B, F)


class ProjectionDiscriminator(FeatureDiscriminator):
    """D: (images, labels) -> logits (B,) = psi(phi(x)) + e(y) . phi(x) (Miyato and Koyama 2018)."""

    def __init__(self, num_classes=10, channels=1, size=28, width=32, block=discriminator_block,
                 project=projection_logits):  # fmt: skip
        super().__init__(num_classes, channels, size, width, block)
        self.project = project
        self.embedding = nn.Embedding(num_classes, self.psi.in_features)  # e(y): (classes, F)
        nn.init.normal_(self.embedding.weight, std=0.02)
        self.apply(init_weights)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self._check(x, labels)
        return self.project(self.features(x), labels, self.psi, self.embedding)  # (B,)


class AuxiliaryDiscriminator(FeatureDiscriminator):
    """D: images -> (logits (B,), class logits (B, num_classes)) (AC-GAN, Odena et al. 2017)."""

    def __init__(self, num_classes=10, channels=1, size=28, width=32, block=discriminator_block):
        super().__init__(num_classes, channels, size, width, block)
        self.class_head = nn.Linear(self.psi.in_features, num_classes)  # P(C | X)
        self.apply(init_weights)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self._check(x)
        h = self.features(x)  # (B, F)
        return self.psi(h)[:, 0], self.class_head(h)  # (B,), (B, num_classes)


def d_step(G, D, opt_d, real, z, d_loss=losses.d_loss_bce) -> float:
    """One update of a D(x, y): real (images, labels) -> 1, G(z, labels) -> 0, with their labels."""
    images, labels = real
    codes, fake_labels = z
    with autocast_for(images.device):
        fake = G(codes, fake_labels).detach()  # no gradient into G
        loss = d_loss(D(images, labels), D(fake, fake_labels))
    return update(opt_d, loss)


def g_step(G, D, opt_g, z, g_loss=losses.g_loss_nonsaturating, mode_seeking=0.0) -> float:
    """One update of G(z, y) against D(x, y) on the labels it was asked for.

    With `mode_seeking` > 0, the second half of the batch gets the first half's labels, and
    `mode_seeking` x `losses.mode_seeking` of the two halves is added to the loss (MSGAN): it
    keeps G from drawing one image per label whatever z.
    """
    codes, labels = z
    half = len(codes) // 2
    if mode_seeking:
        if half == 0:
            raise ValueError("mode_seeking needs a batch of at least 2 codes to pair up")
        codes, labels = codes[: 2 * half], labels[:half].repeat(2)  # pairs (i, half + i)
    with autocast_for(codes.device):
        fake = G(codes, labels)  # (B, C, H, W)
        loss = g_loss(D(fake, labels))
        if mode_seeking:
            pairs = losses.mode_seeking(
                fake[:half].float(), fake[half:].float(), codes[:half], codes[half:]
            )
            loss = loss + mode_seeking * pairs
    return update(opt_g, loss)


def ac_d_step(G, D, opt_d, real, z, loss=losses.ac_d_loss) -> float:
    """AC-GAN's D update: real/fake and the class, on real images and on detached fakes."""
    images, labels = real
    codes, fake_labels = z
    with autocast_for(images.device):
        real_logits, real_classes = D(images)
        fake_logits, fake_classes = D(G(codes, fake_labels).detach())
        value = loss(
            real_logits,
            real_classes.float(),
            labels,
            fake_logits,
            fake_classes.float(),
            fake_labels,
        )
    return update(opt_d, value)


def ac_g_step(G, D, opt_g, z, loss=losses.ac_g_loss) -> float:
    """AC-GAN's G update: fool D and make D read the requested class."""
    codes, labels = z
    with autocast_for(codes.device):
        logits, classes = D(G(codes, labels))
        value = loss(logits, classes.float(), labels)
    return update(opt_g, value)
