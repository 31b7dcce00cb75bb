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

The other GAN objectives differ only in the functions applied to the same outputs:
    d_loss_wasserstein, g_loss_wasserstein     Arjovsky et al. 2017, the critic of a WGAN
    d_loss_hinge, g_loss_hinge                 Lim and Ye 2017; Miyato et al. 2018, Eq. (16)
    d_loss_least_squares, g_loss_least_squares Mao et al. 2017, Eq. (9)
A Wasserstein critic's output is a score, not a logit: it has no sigmoid and no probability
meaning, only differences between scores do.
"""

import math

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


def d_loss_wasserstein(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Critic loss E[f(G(z))] - E[f(x)]: minus the estimate of W(P_r, P_g).

    The Kantorovich-Rubinstein duality gives W(P_r, P_g) = sup over 1-Lipschitz f of
    E_{P_r}[f(x)] - E_{P_g}[f(x)] (Arjovsky et al. 2017, Eq. 3); the critic f ascends it
    (Algorithm 1, line 6), we descend its negative. Without a constraint on f (clipping, a
    gradient penalty or spectral normalisation) the supremum is infinite.
    """
    return fake_scores.mean() - real_scores.mean()


def g_loss_wasserstein(fake_scores: torch.Tensor) -> torch.Tensor:
    """Generator loss -E[f(G(z))] (Arjovsky et al. 2017, Algorithm 1, line 10)."""
    return -fake_scores.mean()


def d_loss_hinge(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] (Miyato et al. 2018, Eq. 16).

    Only samples on the wrong side of the margin +-1 give D a gradient.
    """
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_loss_hinge(fake_logits: torch.Tensor) -> torch.Tensor:
    """The hinge GAN's generator loss -E[D(G(z))] (Miyato et al. 2018, Eq. 17)."""
    return -fake_logits.mean()


def d_loss_least_squares(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN's D loss 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] (Mao et al. 2017, Eq. 9, a=0, b=c=1).

    A quadratic instead of a sigmoid: fakes far on the right side of the boundary are still
    penalised, so G's gradient does not vanish there.
    """
    return 0.5 * ((real_logits - 1) ** 2).mean() + 0.5 * (fake_logits**2).mean()


def g_loss_least_squares(fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN's generator loss 1/2 E[(D(G(z)) - 1)^2] (Mao et al. 2017, Eq. 9, c = 1)."""
    return 0.5 * ((fake_logits - 1) ** 2).mean()


def mode_seeking(images_a, images_b, z_a, z_b, *, eps=1e-5) -> torch.Tensor:
    """MSGAN's mode-seeking term 1 / (d(G(z_a), G(z_b)) / d(z_a, z_b) + eps), to add to G's loss.

    Mao, Lee, Tseng, Ma and Yang 2019, "Mode Seeking Generative Adversarial Networks for Diverse
    Image Synthesis", in the form of their code: d is the mean absolute difference over
    the batch, for pairs of images (B, ...) drawn with the same condition from codes z (B, n).
    A generator that ignores z (one image per condition) makes the ratio 0 and the term large;
    minimising the term rewards drawing different images from different codes.
    """
    if images_a.shape != images_b.shape or z_a.shape != z_b.shape or len(images_a) != len(z_a):
        raise ValueError(f"expected two batches of images and their codes of matching shapes, got "
                         f"images {tuple(images_a.shape)}, {tuple(images_b.shape)} and codes "
                         f"{tuple(z_a.shape)}, {tuple(z_b.shape)}")  # fmt: skip
    ratio = (images_a - images_b).abs().mean() / (z_a - z_b).abs().mean()
    return 1 / (ratio + eps)


def info_loss(cat_logits, cat_codes, cont_mean, cont_log_std, cont_codes, *, lambda_cat=1.0,
              lambda_cont=0.1) -> torch.Tensor:  # fmt: skip
    """-(lambda_cat L_I(cat) + lambda_cont L_I(cont)): InfoGAN's information loss (Chen et al. 2016).

    L_I(G, Q) = E_{c ~ P(c), x ~ G(z, c)}[log Q(c | x)] + H(c) (their Lemma 5.1) is a lower
    bound on the mutual information I(c; G(z, c)). H(c) is a constant, so the loss is the
    negative log-likelihood of the codes under Q: the cross-entropy for the categorical code
    (cat_logits (B, K) against cat_codes (B,)), and for the continuous codes (B, n) a factored
    Gaussian, -log N(c; mean, exp(log_std)^2), summed over the n codes. Both are batch means.
    lambda_cat = 1 for the categorical code, as in the paper (Section 7); a smaller
    lambda_cont keeps the continuous term, a differential entropy, on the GAN loss's scale.
    """
    categorical = F.cross_entropy(cat_logits, cat_codes)
    z = (cont_codes - cont_mean) / cont_log_std.exp()  # (B, n)
    gaussian = (cont_log_std + 0.5 * math.log(2 * math.pi) + 0.5 * z**2).sum(1).mean()
    return lambda_cat * categorical + lambda_cont * gaussian


def ac_d_loss(real_logits, real_class_logits, real_labels, fake_logits, fake_class_logits,
              fake_labels) -> torch.Tensor:  # fmt: skip
    """AC-GAN's discriminator loss: -(L_S + L_C) (Odena, Olah and Shlens 2017, Eqs. 2-3).

    L_S = E[log P(S = real | real)] + E[log P(S = fake | fake)], the usual source loss on the
    logits (B,); L_C = E[log P(C = c | real)] + E[log P(C = c | fake)], the log-likelihood of
    the right class, from class logits (B, K), for real images and for generated ones alike.
    """
    source = d_loss_bce(real_logits, fake_logits)
    classes = F.cross_entropy(real_class_logits, real_labels) + F.cross_entropy(
        fake_class_logits, fake_labels
    )
    return source + classes


def ac_g_loss(fake_logits, fake_class_logits, fake_labels) -> torch.Tensor:
    """AC-GAN's generator loss: fool D (non-saturating), and be read as the class asked for.

    G maximises L_C - L_S in the paper; as everywhere in gankit, G's -L_S is replaced by the
    non-saturating -E[log D(G(z))] (Goodfellow et al. 2014, Section 3).
    """
    return g_loss_nonsaturating(fake_logits) + F.cross_entropy(fake_class_logits, fake_labels)
