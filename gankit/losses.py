"""GAN losses as pure functions of discriminator logits.

Goodfellow et al. 2014, "Generative Adversarial Nets", Eq. (1):

    min_G max_D V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]

D outputs a logit l and D(x) = sigmoid(l). We never take log(sigmoid(l)) directly: it
underflows to log(0) = -inf for l around -100. Instead we use the exact identities

    log sigmoid(l)     = -softplus(-l)
    log(1 - sigmoid(l)) = -softplus(l)

with softplus(l) = log(1 + e^l), which PyTorch computes stably for any l.

Every function takes logits of any shape ((B,) or (B, 1)) and returns a scalar: the mean over
the batch.
"""

import torch
import torch.nn.functional as F


def value_function(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))], Goodfellow et al. 2014, Eq. (1).

    D maximises it; its maximum is -log 4 at the equilibrium D = 1/2 everywhere.
    """
    return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()


def d_loss_bce(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Discriminator loss -V(D, G) = -E[log D(x)] - E[log(1 - D(G(z)))].

    The binary cross-entropy with label 1 for real and 0 for fake samples, summed over the two
    halves (Goodfellow et al. 2014, Algorithm 1 ascends V; we descend -V).
    """
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """Minimax generator loss E[log(1 - D(G(z)))], which G minimises (Goodfellow et al. 2014, Eq. 1).

    Its gradient vanishes when D confidently rejects the fakes (D(G(z)) -> 0), which is
    exactly the situation early in training: d/dl of -softplus(l) is -sigmoid(l) -> 0.
    """
    return -F.softplus(fake_logits).mean()


def g_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss -E[log D(G(z))] (Goodfellow et al. 2014, Section 3).

    Same fixed point as the minimax loss, but strong gradients early in training:
    d/dl of softplus(-l) is -(1 - sigmoid(l)) -> -1 as D(G(z)) -> 0.
    """
    return F.softplus(-fake_logits).mean()
