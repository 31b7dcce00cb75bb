import copy
import functools
import math

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Categorical, Normal

from gankit import losses, training
from gankit.metrics import code_accuracy, match_codes
from gankit.models import infogan, wgan
from gankit.models.infogan import InfoGANDiscriminator, InfoGANGenerator, QHead, sample_codes
from gankit.training import train_gan


def tiny_pair(seed=0, size=28, channels=1):
    torch.manual_seed(seed)
    G = InfoGANGenerator(noise_dim=4, categories=3, continuous=2, channels=channels, size=size,
                         width=4)  # fmt: skip
    D = InfoGANDiscriminator(categories=3, continuous=2, channels=channels, size=size, width=4)
    return G, D


def copy_of(module):
    return [p.detach().clone() for p in module.parameters()]


def unchanged(module, before):
    return all(torch.equal(p, q) for p, q in zip(module.parameters(), before, strict=True))


# The codes.


def test_sample_codes_shapes_and_layout():
    latent, cat, cont = sample_codes(6, noise_dim=5, categories=4, continuous=3)
    assert latent.shape == (6, 5 + 4 + 3) and latent.dtype == torch.float32
    assert cat.shape == (6,) and cat.dtype == torch.long
    assert cont.shape == (6, 3)
    # [noise, one_hot(cat), cont]
    assert torch.equal(latent[:, 5:9], F.one_hot(cat, 4).float())
    assert torch.equal(latent[:, 9:], cont)
    assert sample_codes(1)[0].shape == (1, 62 + 10 + 2)  # the paper's MNIST codes by default


def test_sample_codes_follow_their_distributions():
    n = 20000
    latent, cat, cont = sample_codes(n, noise_dim=8, categories=5, continuous=2,
                                     generator=torch.Generator().manual_seed(0))  # fmt: skip
    noise = latent[:, :8]
    assert noise.mean().abs() < 0.02 and (noise.std() - 1).abs() < 0.02  # N(0, I)
    assert noise.mean(0).abs().max() < 0.05 and (noise.std(0) - 1).abs().max() < 0.05
    counts = torch.bincount(cat, minlength=5)
    assert counts.min() > 0.9 * n / 5 and counts.max() < 1.1 * n / 5  # uniform over 5
    assert cont.min() >= -1 and cont.max() <= 1  # Unif(-1, 1)
    assert cont.min() < -0.99 and cont.max() > 0.99
    assert cont.mean().abs() < 0.02
    assert (cont.var() - 1 / 3).abs() < 0.02  # the variance of Unif(-1, 1) is 4 / 12


def test_sample_codes_are_reproducible_with_a_seeded_generator():
    def draw(seed):
        return sample_codes(
            10, noise_dim=3, categories=4, generator=torch.Generator().manual_seed(seed)
        )

    a, b, c = draw(1), draw(1), draw(2)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not torch.equal(a[0], c[0])


def test_generator_sample_z_is_the_latent_of_sample_codes():
    G, _ = tiny_pair()
    assert G.z_dim == 4 + 3 + 2
    z = G.sample_z(5, generator=torch.Generator().manual_seed(3))
    latent, _, _ = sample_codes(5, noise_dim=4, categories=3, continuous=2,
                                generator=torch.Generator().manual_seed(3))  # fmt: skip
    assert torch.equal(z, latent)
    assert G(z).shape == (5, 1, 28, 28)


def test_split_and_join_are_inverse():
    G, _ = tiny_pair()
    latent, cat, cont = sample_codes(7, noise_dim=4, categories=3, continuous=2,
                                     generator=torch.Generator().manual_seed(0))  # fmt: skip
    noise, cat_back, cont_back = G.split(latent)
    assert torch.equal(noise, latent[:, :4]) and torch.equal(cat_back, cat)
    assert torch.equal(cont_back, cont)
    assert torch.equal(G.join(noise, cat_back, cont_back), latent)
    noise, cat, cont = torch.randn(4, 4), torch.tensor([2, 0, 1, 2]), torch.rand(4, 2)
    joined = G.join(noise, cat, cont)
    assert joined.shape == (4, 9)
    assert all(torch.equal(x, y) for x, y in zip(G.split(joined), (noise, cat, cont), strict=True))


def test_generator_rejects_a_latent_of_the_wrong_width():
    G, _ = tiny_pair()
    message = r"expected latents of shape \(B, 9\) = noise 4 \+ categories 3 \+ continuous 2"
    with pytest.raises(ValueError, match=message + r", got \(2, 8\)"):
        G(torch.zeros(2, 8))
    with pytest.raises(ValueError, match=message):
        G.split(torch.zeros(9))


# Q and D.


def test_q_head_gives_categorical_logits_means_and_log_stds():
    Q = QHead(20, categories=5, continuous=3, hidden=16)
    cat_logits, mean, log_std = Q(torch.randn(6, 20))
    assert cat_logits.shape == (6, 5) and mean.shape == (6, 3) and log_std.shape == (6, 3)
    kinds = [type(layer).__name__ for layer in Q.net]
    assert kinds == ["Linear", "BatchNorm1d", "LeakyReLU", "Linear"]  # the paper's Table 1
    assert Q.net[2].negative_slope == 0.1


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3)])
def test_discriminator_with_q_shares_the_logits_of_forward(size, channels):
    G, D = tiny_pair(size=size, channels=channels)
    x = G(G.sample_z(6))
    assert x.shape == (6, channels, size, size)
    logits = D(x)
    assert logits.shape == (6,)
    with_q_logits, (cat_logits, mean, log_std) = D.with_q(x)
    assert torch.equal(with_q_logits, logits)
    assert cat_logits.shape == (6, 3) and mean.shape == (6, 2) and log_std.shape == (6, 2)
    D.eval()
    with torch.no_grad():
        assert torch.equal(D.with_q(x)[0], D(x))
    assert D.q.net[0].in_features == D.psi.in_features  # Q reads D's features


def test_discriminators_body_ends_with_a_fully_connected_layer_that_both_heads_read():
    x = torch.randn(5, 1, 28, 28)
    D = InfoGANDiscriminator(categories=3, continuous=2, width=4, hidden=16)
    assert D.features(x).shape == (5, 16)
    assert [type(layer).__name__ for layer in D.fc] == ["Linear", "BatchNorm1d", "LeakyReLU"]
    assert D.psi.in_features == 16 and D.q.net[0].in_features == 16
    assert InfoGANDiscriminator().fc[0].out_features == 1024  # the paper's FC 1024 by default
    convolutional = InfoGANDiscriminator(categories=3, continuous=2, width=4, hidden=0)
    assert convolutional.features(x).shape == (5, 8 * 7 * 7)  # the blocks' (B, 2 width, 7, 7)
    assert convolutional.q.net[0].in_features == 8 * 7 * 7


def test_discriminator_rejects_images_of_the_wrong_shape():
    _, D = tiny_pair()
    with pytest.raises(ValueError, match=r"expected images of shape \(B, 1, 28, 28\)"):
        D(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"got \(2, 3, 28, 28\)"):
        D.with_q(torch.zeros(2, 3, 28, 28))


# The information loss.


@pytest.fixture
def q_outputs():
    generator = torch.Generator().manual_seed(0)
    B, K, n = 32, 5, 3
    return (
        2 * torch.randn(B, K, generator=generator),  # cat logits
        torch.randint(K, (B,), generator=generator),  # cat codes
        torch.randn(B, n, generator=generator),  # means
        0.5 * torch.randn(B, n, generator=generator),  # log standard deviations
        torch.rand(B, n, generator=generator) * 2 - 1,  # continuous codes
    )


@pytest.mark.parametrize("lambdas", [{}, {"lambda_cat": 0.5, "lambda_cont": 2.0}])
def test_info_loss_is_the_negative_log_likelihood_under_q(q_outputs, lambdas):
    cat_logits, cat, mean, log_std, cont = q_outputs
    cat_ll = Categorical(logits=cat_logits).log_prob(cat).mean()
    cont_ll = Normal(mean, log_std.exp()).log_prob(cont).sum(1).mean()  # summed over the codes
    lambda_cat, lambda_cont = lambdas.get("lambda_cat", 1.0), lambdas.get("lambda_cont", 0.1)
    expected = -(lambda_cat * cat_ll + lambda_cont * cont_ll)
    value = losses.info_loss(cat_logits, cat, mean, log_std, cont, **lambdas)
    assert value.shape == ()
    assert torch.allclose(value, expected, atol=1e-5)


def test_info_loss_terms_separately():
    cat_logits, cat = torch.tensor([[0.0, 0.0]]), torch.tensor([1])
    mean, log_std, cont = torch.zeros(1, 2), torch.zeros(1, 2), torch.tensor([[1.0, 0.0]])
    # Categorical: -log(1/2). Gaussian, unit spread: 2 * 0.5 log(2 pi) + 0.5 * 1.
    only_cat = losses.info_loss(cat_logits, cat, mean, log_std, cont, lambda_cont=0.0)
    only_cont = losses.info_loss(cat_logits, cat, mean, log_std, cont, lambda_cat=0.0,
                                 lambda_cont=1.0)  # fmt: skip
    assert only_cat.item() == pytest.approx(math.log(2))
    assert only_cont.item() == pytest.approx(math.log(2 * math.pi) + 0.5)


def linear_codes(n, seed):
    """Features (n, 8) whose category (of 4) and 2 continuous codes are linear functions of them."""
    W = torch.randn(8, 4, generator=torch.Generator().manual_seed(100))
    V = torch.randn(8, 2, generator=torch.Generator().manual_seed(101)) / 8**0.5
    features = torch.randn(n, 8, generator=torch.Generator().manual_seed(seed))
    return features, (features @ W).argmax(1), features @ V


def test_a_q_head_learns_to_read_codes_that_are_linear_in_the_features():
    """300 Adam steps: Q recovers the category and the continuous codes of held-out features
    (checked on 5 seeds: loss 1.7 -> under 0.15, accuracy 0.94 to 0.97)."""
    features, cat, cont = linear_codes(2000, seed=0)
    test_features, test_cat, test_cont = linear_codes(1000, seed=1)
    torch.manual_seed(0)
    Q = QHead(8, categories=4, continuous=2, hidden=32)
    optimizer = torch.optim.Adam(Q.parameters(), lr=1e-2)

    def held_out():
        Q.eval()
        with torch.no_grad():
            cat_logits, mean, log_std = Q(test_features)
            loss = losses.info_loss(cat_logits, test_cat, mean, log_std, test_cont).item()
        Q.train()
        return loss, cat_logits, mean

    before, _, _ = held_out()
    generator = torch.Generator().manual_seed(0)
    for _ in range(300):
        rows = torch.randint(len(features), (64,), generator=generator)
        cat_logits, mean, log_std = Q(features[rows])
        loss = losses.info_loss(cat_logits, cat[rows], mean, log_std, cont[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after, cat_logits, mean = held_out()
    assert before > 1.2 and after < 0.25 * before, (before, after)
    assert (cat_logits.argmax(1) == test_cat).float().mean() > 0.9
    assert ((mean - test_cont) ** 2).mean() < 0.1 * test_cont.var()


# Training steps.


def random_images(n=8, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_d_step_with_r1_adds_gamma_over_two_times_the_squared_gradient_norm_on_real_images():
    G, D = tiny_pair()
    real, z = random_images(), G.sample_z(8, generator=torch.Generator().manual_seed(1))
    plain, penalised = copy.deepcopy(D), copy.deepcopy(D)
    # train mode: batch norm uses each batch's own statistics, so a copy gives the same D(real)
    penalty = wgan.r1_penalty(copy.deepcopy(D), real).item()
    without = infogan.d_step(G, plain, torch.optim.SGD(plain.parameters(), lr=0.1), real, z)
    value = infogan.d_step(G, penalised, torch.optim.SGD(penalised.parameters(), lr=0.1), real, z,
                           r1=2.0)  # fmt: skip
    assert penalty > 0 and value == pytest.approx(without + penalty, rel=1e-5)
    assert not all(torch.equal(p, q) for p, q in zip(plain.parameters(), penalised.parameters()))
    assert not real.requires_grad  # the caller's batch is left alone


def test_d_step_trains_d_and_q_on_the_codes_of_gs_images():
    G, D = tiny_pair()
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3)
    real, z = random_images(), G.sample_z(8, generator=torch.Generator().manual_seed(1))
    _, cat, cont = G.split(z)
    with torch.no_grad():  # train mode: each batch normalised by its own statistics
        fake_logits, (cat_logits, mean, log_std) = D.with_q(G(z))
        expected = losses.d_loss_bce(D(real), fake_logits) + losses.info_loss(
            cat_logits, cat, mean, log_std, cont
        )
    g_before, q_before = copy_of(G), copy_of(D.q)
    value = infogan.d_step(G, D, opt_d, real, z)
    assert isinstance(value, float) and value == pytest.approx(expected.item(), rel=1e-5)
    assert unchanged(G, g_before) and not unchanged(D.q, q_before)
    assert all(p.grad is None for p in G.parameters())  # the fakes were detached


def test_g_step_trains_g_to_fool_d_and_make_its_codes_readable():
    G, D = tiny_pair()
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
    z = G.sample_z(8, generator=torch.Generator().manual_seed(1))
    _, cat, cont = G.split(z)
    with torch.no_grad():
        logits, (cat_logits, mean, log_std) = D.with_q(G(z))
        expected = losses.g_loss_nonsaturating(logits) + losses.info_loss(
            cat_logits, cat, mean, log_std, cont
        )
    g_before, d_before = copy_of(G), copy_of(D)
    value = infogan.g_step(G, D, opt_g, z)
    assert isinstance(value, float) and value == pytest.approx(expected.item(), rel=1e-5)
    assert unchanged(D, d_before) and not unchanged(G, g_before)


def noisy_reading(G, D, z, sigma, seed):
    """D's logits on G's clean images and Q's output on the same images plus N(0, sigma^2) noise
    drawn from torch's global generator after `torch.manual_seed(seed)`, as the steps draw it."""
    fake = G(z)
    torch.manual_seed(seed)
    return D(fake), D.with_q(fake + sigma * torch.randn_like(fake))[1]


def info_of(q, cat, cont):
    cat_logits, mean, log_std = q
    return losses.info_loss(cat_logits, cat, mean, log_std, cont)


def test_d_step_with_q_noise_lets_q_read_the_codes_through_noise_and_d_the_clean_fakes():
    G, D = tiny_pair()
    real, z = random_images(), G.sample_z(8, generator=torch.Generator().manual_seed(1))
    _, cat, cont = G.split(z)
    with torch.no_grad():
        fake_logits, q = noisy_reading(G, D, z, 0.5, seed=3)
        expected = losses.d_loss_bce(D(real), fake_logits) + info_of(q, cat, cont)
        clean = losses.d_loss_bce(D(real), D(G(z))) + info_of(D.with_q(G(z))[1], cat, cont)
    torch.manual_seed(3)
    value = infogan.d_step(G, D, torch.optim.SGD(D.parameters(), lr=0.1), real, z, q_noise=0.5)
    assert value == pytest.approx(expected.item(), rel=1e-5)
    assert value != pytest.approx(clean.item(), rel=1e-3)  # the noise reached Q


def test_g_step_with_q_noise_makes_the_codes_readable_through_noise():
    G, D = tiny_pair()
    z = G.sample_z(8, generator=torch.Generator().manual_seed(1))
    _, cat, cont = G.split(z)
    with torch.no_grad():
        logits, q = noisy_reading(G, D, z, 0.5, seed=4)
        expected = losses.g_loss_nonsaturating(logits) + info_of(q, cat, cont)
    torch.manual_seed(4)
    value = infogan.g_step(G, D, torch.optim.SGD(G.parameters(), lr=0.1), z, q_noise=0.5)
    assert value == pytest.approx(expected.item(), rel=1e-5)


def test_read_codes_without_noise_is_one_pass_of_with_q():
    G, D = tiny_pair()
    fake = G(G.sample_z(8, generator=torch.Generator().manual_seed(1))).detach()
    logits, (cat_logits, mean, log_std) = infogan.read_codes(D, fake)
    expected_logits, expected_q = D.with_q(fake)
    assert torch.equal(logits, expected_logits) and torch.equal(cat_logits, expected_q[0])


def test_train_gan_runs_the_infogan_steps():
    G, D = tiny_pair()
    history = train_gan(
        G, D, random_images(64), d_step=infogan.d_step, g_step=infogan.g_step, steps=6,
        batch_size=8, log_every=2, sample_every=3, progress=False,
    )  # fmt: skip
    assert history.step == [0, 2, 4]
    assert all(math.isfinite(value) for value in history.d_loss + history.g_loss)
    assert [step for step, _ in history.samples] == [0, 3, 6]
    assert history.samples[-1][1].shape == (64, 1, 28, 28)


def test_predict_codes_is_qs_argmax_in_eval_mode():
    G, D = tiny_pair()
    images = random_images(7)
    codes = infogan.predict_codes(D, images, batch_size=3)
    assert codes.shape == (7,) and codes.dtype == torch.long
    assert codes.min() >= 0 and codes.max() < 3
    assert D.training  # restored
    D.eval()
    with torch.no_grad():
        assert torch.equal(codes, D.with_q(images)[1][0].argmax(1))


# Matching codes to classes.


def test_match_codes_undoes_a_permutation_of_the_labels():
    labels = torch.arange(40) % 4
    permutation = torch.tensor([2, 0, 3, 1])  # class c is called code permutation[c]
    codes = permutation[labels]
    mapping = match_codes(codes, labels)
    assert mapping.dtype == torch.long
    assert torch.equal(mapping, torch.tensor([1, 3, 0, 2]))  # the inverse permutation
    assert torch.equal(mapping[codes], labels)
    assert code_accuracy(codes, labels) == 1.0
    assert code_accuracy(codes.tolist(), labels.tolist()) == 1.0  # lists work too


def confused(table):
    """codes and labels with counts[code, label] = table[code][label]."""
    codes, labels = [], []
    for code, row in enumerate(table):
        for label, count in enumerate(row):
            codes += [code] * count
            labels += [label] * count
    return torch.tensor(codes), torch.tensor(labels)


def test_match_codes_finds_the_best_one_to_one_assignment():
    # A majority vote would send codes 0 and 1 both to class 0. One-to-one, 0 -> 1 and 1 -> 0
    # agree 4 + 4 + 3 = 11 times out of 16, more than 0 -> 0, 1 -> 1 (5 + 0 + 3 = 8).
    codes, labels = confused([[5, 4, 0], [4, 0, 0], [0, 0, 3]])
    assert torch.equal(match_codes(codes, labels), torch.tensor([1, 0, 2]))
    assert code_accuracy(codes, labels) == pytest.approx(11 / 16)


def test_match_codes_with_more_classes_than_seen():
    codes, labels = torch.tensor([0, 0, 1]), torch.tensor([1, 1, 0])
    mapping = match_codes(codes, labels, num_classes=5)
    assert mapping.shape == (5,) and mapping[0] == 1 and mapping[1] == 0
    assert sorted(mapping.tolist()) == [0, 1, 2, 3, 4]  # still a permutation
    assert code_accuracy(codes, labels, num_classes=5) == 1.0


def test_match_codes_rejects_bad_input():
    with pytest.raises(ValueError, match=r"same shape \(N,\), got \(3,\) and \(2,\)"):
        match_codes(torch.tensor([0, 1, 2]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"got \(2, 2\) and \(2, 2\)"):
        match_codes(torch.zeros(2, 2), torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"got \(0,\) and \(0,\)"):
        code_accuracy(torch.zeros(0), torch.zeros(0))
    with pytest.raises(ValueError, match=r"expected codes and labels in 0..2"):
        match_codes(torch.tensor([0, 3]), torch.tensor([0, 1]), num_classes=3)
    with pytest.raises(ValueError, match=r"expected codes and labels in 0\.\.1"):
        match_codes(torch.tensor([0, 1]), torch.tensor([-1, 1]))


# Learning.


def quadrant_images(n=400, seed=0):
    """Four kinds of image: a bright 12x12 square in one quadrant of a dark 28x28 image, at a
    jittered place; (n, 1, 28, 28) in [-1, 1] and the quadrant (n,)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 4
    images = torch.full((n, 1, 28, 28), -1.0)
    for i, label in enumerate(labels.tolist()):
        top, left = 14 * (label // 2) + 1, 14 * (label % 2) + 1
        dy, dx = torch.randint(0, 2, (2,), generator=g).tolist()
        images[i, :, top + dy : top + dy + 12, left + dx : left + dx + 12] = 1.0
    return images, labels


def q_reads_gs_codes(G, D, n=400):
    """The fraction of G's images whose categorical code Q reads back (eval mode)."""
    latent = G.sample_z(n, generator=torch.Generator().manual_seed(7))
    codes = infogan.predict_codes(D, training.generate(G, latent))
    return (codes == G.split(latent)[1]).float().mean().item()


@pytest.mark.parametrize("q_noise, r1", [(0.0, 0.0), (0.5, 1.0)])  # plain; lesson 06's recipe
def test_a_tiny_infogan_makes_its_codes_readable(q_noise, r1):
    """Trained on unlabelled quadrant images, G learns to draw its 4-way code so that Q reads
    it back from the image: the mutual-information term at work (chance is 25%). Q reads the
    clean images here, also when it was trained to read them through noise."""
    images, _ = quadrant_images(400, seed=0)
    torch.manual_seed(0)
    G = InfoGANGenerator(noise_dim=2, categories=4, continuous=1, width=4)
    D = InfoGANDiscriminator(categories=4, continuous=1, width=4)
    before = q_reads_gs_codes(G, D)
    d_step = functools.partial(infogan.d_step, q_noise=q_noise, r1=r1)
    g_step = functools.partial(infogan.g_step, q_noise=q_noise)
    train_gan(G, D, images, d_step=d_step, g_step=g_step, steps=200, batch_size=32, lr=1e-3,
              lr_d=2e-4, seed=0, progress=False)  # fmt: skip
    after = q_reads_gs_codes(G, D)
    assert before < 0.5
    assert after >= 0.9, f"Q reads {after:.0%} of G's codes (before training {before:.0%})"
