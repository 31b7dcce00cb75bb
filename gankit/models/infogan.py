"""InfoGAN: codes that mean something, learned without labels (Chen et al. 2016).

Chen, Duan, Houthooft, Schulman, Sutskever and Abbeel 2016, "InfoGAN: Interpretable
Representation Learning by Information Maximizing Generative Adversarial Nets".

G's input is split in two: incompressible noise z and structured codes c. On MNIST the paper
uses z of 62 dimensions, one 10-way categorical code c1 ~ Cat(K=10, p=0.1) and two continuous
codes c2, c3 ~ Unif(-1, 1) (Section 7). Nothing forces G to use c, so InfoGAN adds a term to
the game (Eq. 5):

    min_{G,Q} max_D V_InfoGAN(D, G, Q) = V(D, G) - lambda L_I(G, Q)

where L_I is a lower bound on the mutual information between c and G(z, c), estimated by an
auxiliary network Q(c | x) that shares D's body (its convolutional layers and a fully
connected layer) and adds one head (`QHead`). The loss is `losses.info_loss`. Q's head is
trained with D (in `d_step`, on generated images, whose codes are known) and G through the same
loss (in `g_step`): G learns to make its codes readable.

Not in the paper: the steps can let Q read the codes through noise (`q_noise`, `read_codes`)
and give D an R1 penalty (`r1`); lesson 06 uses both, which lifted the code's agreement with
the digit classes on `digits` from 0.80 to 0.89 (means of three seeds, `benchmarks/README.md`).

The latent is one tensor, the concatenation [z, one_hot(c1), c2, c3] that G takes; `split`
takes it apart again. Code (paper): noise (z), cat (c1), cont (c2, c3), QHead (Q's last
layers), InfoGANDiscriminator.with_q (D and Q sharing one body).
"""

import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.models.conditional import FeatureDiscriminator
from gankit.models.dcgan import DCGANGenerator, discriminator_block, generator_block
from gankit.models.wgan import r1_penalty
from gankit.training import autocast_for, update


def sample_codes(n, *, noise_dim=62, categories=10, continuous=2, generator=None, device="cpu"):
    """InfoGAN's latent, n rows: (latent (n, noise_dim + categories + continuous), cat (n,),
    cont (n, continuous)). z ~ N(0, I); cat uniform over the categories, one-hot in the latent;
    cont ~ Unif(-1, 1). Drawn on `generator`'s device, then moved to `device`."""
    on = generator.device if generator is not None else torch.device(device)
    noise = torch.randn(n, noise_dim, generator=generator, device=on)  # (n, noise_dim)
    cat = torch.randint(categories, (n,), generator=generator, device=on)  # (n,)
    cont = torch.rand(n, continuous, generator=generator, device=on) * 2 - 1  # (n, continuous)
    latent = torch.cat([noise, F.one_hot(cat, categories).float(), cont], dim=1)
    return latent.to(device), cat.to(device), cont.to(device)


class InfoGANGenerator(nn.Module):
    """G: latent [z, one_hot(c1), c2, ...] (B, noise_dim + categories + continuous) -> images."""

    def __init__(self, noise_dim=62, categories=10, continuous=2, channels=1, size=28, width=32,
                 block=generator_block):  # fmt: skip
        super().__init__()
        self.noise_dim, self.categories, self.continuous = noise_dim, categories, continuous
        self.z_dim = noise_dim + categories + continuous
        self.net = DCGANGenerator(self.z_dim, channels, size, width, block=block)

    def sample_z(self, n, generator=None) -> torch.Tensor:
        """n latents, (n, z_dim), on this module's device (`sample_codes` for the codes too)."""
        device = next(self.parameters()).device
        return sample_codes(n, noise_dim=self.noise_dim, categories=self.categories,
                            continuous=self.continuous, generator=generator, device=device)[0]  # fmt: skip

    def split(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(noise (B, noise_dim), cat (B,) as integers, cont (B, continuous)) of a latent."""
        self._check(latent)
        noise, one_hot, cont = latent.split([self.noise_dim, self.categories, self.continuous], 1)
        return noise, one_hot.argmax(1), cont

    def join(self, noise, cat, cont) -> torch.Tensor:
        """The latent of these parts: noise (B, noise_dim), cat (B,) integers, cont (B, continuous)."""
        return torch.cat([noise, F.one_hot(cat, self.categories).to(noise.dtype), cont], dim=1)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        self._check(latent)
        return self.net(latent)  # (B, C, size, size)

    def _check(self, latent):
        if latent.ndim != 2 or latent.shape[1] != self.z_dim:
            raise ValueError(
                f"expected latents of shape (B, {self.z_dim}) = noise {self.noise_dim} + "
                f"categories {self.categories} + continuous {self.continuous}, "
                f"got {tuple(latent.shape)}"
            )


class QHead(nn.Module):
    """Q's own layers on D's features: (B, F) -> (cat logits (B, K), mean (B, n), log_std (B, n)).

    The paper's MNIST Q (Table 1): FC 128 -> BN -> LeakyReLU(0.1) -> FC to the codes'
    parameters. A factored Gaussian for the continuous codes, with its spread learned as a
    log standard deviation (any real number; exp gives the standard deviation).
    """

    def __init__(self, in_features, categories=10, continuous=2, hidden=128):
        super().__init__()
        self.categories, self.continuous = categories, continuous
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),  # (B, hidden)
            nn.BatchNorm1d(hidden),
            nn.LeakyReLU(0.1),
            nn.Linear(hidden, categories + 2 * continuous),  # (B, K + 2n)
        )

    def forward(self, features: torch.Tensor):
        out = self.net(features)  # (B, K + 2n)
        cat_logits, mean, log_std = out.split(
            [self.categories, self.continuous, self.continuous], 1
        )
        return cat_logits, mean, log_std


class InfoGANDiscriminator(FeatureDiscriminator):
    """D and Q with one body. D(x) -> logits (B,); D.with_q(x) -> (logits, (cat_logits, mean, log_std)).

    The body is DCGAN's convolutional blocks, then, as in the paper's MNIST D (Table 1: FC 1024
    -> BN -> LeakyReLU), a fully connected layer of `hidden` units (0: none), whose output both
    heads read. That layer matters: on digits, Q's code matched the digit classes 46% of the
    time without it and 80% with 512 units (means of three seeds, `benchmarks/README.md`).
    """

    def __init__(self, categories=10, continuous=2, channels=1, size=28, width=32, hidden=1024,
                 block=discriminator_block, q_head=QHead):  # fmt: skip
        super().__init__(categories, channels, size, width, block)
        if hidden:
            self.fc = nn.Sequential(
                nn.Linear(self.psi.in_features, hidden),  # (B, hidden)
                nn.BatchNorm1d(hidden),
                nn.LeakyReLU(0.2),  # DCGAN's slope, as in the blocks before it
            )
            self.psi = nn.Linear(hidden, 1)  # D's logit from the shared features
        else:
            self.fc = nn.Identity()
        self.q = q_head(self.psi.in_features, categories, continuous)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(super().features(x))  # (B, hidden), or the blocks' (B, F) when hidden=0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check(x)
        return self.psi(self.features(x))[:, 0]  # (B,)

    def with_q(self, x: torch.Tensor):
        self._check(x)
        h = self.features(x)  # (B, F)
        return self.psi(h)[:, 0], self.q(h)


def d_step(G, D, opt_d, real, z, d_loss=losses.d_loss_bce, info_loss=losses.info_loss,
           r1=0.0, q_noise=0.0) -> float:  # fmt: skip
    """D and Q: real -> 1, G(latent) -> 0, and Q reads the codes of G's images back.

    With `r1` = gamma > 0, D's loss gains gamma / 2 E|grad_x D(x)|^2 on the real images (the
    R1 penalty, `wgan.r1_penalty`): D stays smooth around the data, which lets it (and Q, which
    shares its body and optimiser) learn faster without overpowering G.

    With `q_noise` = sigma > 0, Q reads the codes through a noisy channel: from G's images plus
    Gaussian noise of standard deviation sigma (`read_codes`). D's logit still reads them clean.
    """
    _, cat, cont = G.split(z)
    if r1:
        real = real.detach().requires_grad_(True)  # (B, C, H, W)
    with autocast_for(real.device):
        fake_logits, q = read_codes(D, G(z).detach(), q_noise)
        real_logits = D(real)  # (B,)
        loss = d_loss(real_logits, fake_logits) + info_loss(*_q_and_codes(q, cat, cont))
        if r1:
            loss = loss + r1 / 2 * r1_penalty(D, real, real_logits=real_logits)
    return update(opt_d, loss)


def g_step(G, D, opt_g, z, g_loss=losses.g_loss_nonsaturating, info_loss=losses.info_loss,
           q_noise=0.0):  # fmt: skip
    """G: fool D, and make its codes readable by Q (min over G of -V... - lambda L_I), through
    noise of standard deviation `q_noise` when it is > 0 (`read_codes`)."""
    _, cat, cont = G.split(z)
    with autocast_for(z.device):
        logits, q = read_codes(D, G(z), q_noise)
        loss = g_loss(logits) + info_loss(*_q_and_codes(q, cat, cont))
    return update(opt_g, loss)


def read_codes(D, fake, q_noise=0.0):
    """(D's logits (B,), Q's output) for G's images `fake`; Q reads them through noise.

    Without noise this is `D.with_q(fake)`, one pass through the shared body. With `q_noise` =
    sigma > 0, Q reads fake + N(0, sigma^2) instead, in a second pass, while D's logit reads the
    clean images. The codes must then survive the noise: G can no longer tell its code values
    apart by faint details of the strokes and has to give them shapes that differ as a whole,
    which on digits mostly means different digits (`benchmarks/README.md`).
    """
    if not q_noise:
        return D.with_q(fake)
    return D(fake), D.with_q(fake + q_noise * torch.randn_like(fake))[1]


def _q_and_codes(q, cat, cont):
    cat_logits, mean, log_std = q
    return cat_logits.float(), cat, mean.float(), log_std.float(), cont


@torch.no_grad()
def predict_codes(D, images, batch_size=500) -> torch.Tensor:
    """Q's categorical code for each image (N,): argmax of its logits, in eval mode."""
    was_training = D.training
    D.eval()
    device = next(D.parameters()).device
    try:
        return torch.cat(
            [D.with_q(x.to(device))[1][0].argmax(1).cpu() for x in images.split(batch_size)]
        )
    finally:
        D.train(was_training)
