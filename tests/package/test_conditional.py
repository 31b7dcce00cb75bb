import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses
from gankit.models import conditional
from gankit.models.conditional import (
    AuxiliaryDiscriminator,
    ConditionalDiscriminator,
    ConditionalGenerator,
    ProjectionDiscriminator,
    condition_images,
    condition_latent,
    projection_logits,
)
from gankit.training import generate, train_gan


def tiny_generator(seed=0, num_classes=3, size=28, channels=1, width=4):
    torch.manual_seed(seed)
    return ConditionalGenerator(z_dim=6, num_classes=num_classes, embed_dim=4,
                                channels=channels, size=size, width=width)  # fmt: skip


def copy_of(module):
    return [p.detach().clone() for p in module.parameters()]


def unchanged(module, before):
    return all(torch.equal(p, q) for p, q in zip(module.parameters(), before, strict=True))


def embedding_of(rows):
    embedding = nn.Embedding(len(rows), len(rows[0]))
    with torch.no_grad():
        embedding.weight.copy_(torch.tensor(rows))
    return embedding


# Shapes.


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3)])
def test_every_model_gives_the_documented_shapes(size, channels):
    G = tiny_generator(size=size, channels=channels)
    z, labels = G.sample_z(5)
    assert z.shape == (5, 6) and z.dtype == torch.float32
    assert labels.shape == (5,) and labels.dtype == torch.long
    images = G(z, labels)
    assert images.shape == (5, channels, size, size)
    assert images.abs().max() <= 1  # tanh output

    concat = ConditionalDiscriminator(num_classes=3, embed_dim=2, channels=channels, size=size,
                                      width=4)  # fmt: skip
    assert concat(images, labels).shape == (5,)
    projection = ProjectionDiscriminator(num_classes=3, channels=channels, size=size, width=4)
    assert projection(images, labels).shape == (5,)
    assert projection.features(images).shape == (5, projection.psi.in_features)
    assert projection.embedding.weight.shape == (3, projection.psi.in_features)
    auxiliary = AuxiliaryDiscriminator(num_classes=3, channels=channels, size=size, width=4)
    logits, class_logits = auxiliary(images)
    assert logits.shape == (5,) and class_logits.shape == (5, 3)
    assert auxiliary.features(images).shape == (5, auxiliary.psi.in_features)


def test_feature_count_is_width_times_channels_times_base_squared():
    # 28: one block after the first, (B, 2w, 7, 7); 32: two, (B, 4w, 4, 4).
    assert ProjectionDiscriminator(size=28, width=4).psi.in_features == 8 * 7 * 7
    assert ProjectionDiscriminator(size=32, width=4).psi.in_features == 16 * 4 * 4


def test_sample_z_draws_every_class_reproducibly_and_keeps_given_labels():
    G = tiny_generator(num_classes=3)
    z, labels = G.sample_z(300, generator=torch.Generator().manual_seed(1))
    assert torch.bincount(labels, minlength=3).min() > 60  # uniform over the 3 classes
    assert labels.min() >= 0 and labels.max() <= 2
    again = G.sample_z(300, generator=torch.Generator().manual_seed(1))
    assert torch.equal(z, again[0]) and torch.equal(labels, again[1])
    other = G.sample_z(300, generator=torch.Generator().manual_seed(2))
    assert not torch.equal(z, other[0]) and not torch.equal(labels, other[1])
    given = torch.tensor([2, 0, 1, 1])
    z, labels = G.sample_z(4, labels=given)
    assert z.shape == (4, 6) and torch.equal(labels, given)
    assert torch.equal(G.sample_z(2, labels=[1, 2])[1], torch.tensor([1, 2]))


# Bad inputs.


def test_generator_rejects_bad_codes_and_labels():
    G = tiny_generator(num_classes=3)
    z = torch.zeros(4, 6)
    with pytest.raises(ValueError, match=r"expected codes of shape \(B, 6\), got \(4, 5\)"):
        G(torch.zeros(4, 5), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected codes of shape \(B, 6\), got \(6,\)"):
        G(torch.zeros(6), torch.zeros(1, dtype=torch.long))
    with pytest.raises(ValueError, match=r"integers \(torch.long\) of shape \(4,\), got "
                                         r"torch.float32 of shape \(4,\)"):  # fmt: skip
        G(z, torch.zeros(4))
    with pytest.raises(ValueError, match=r"of shape \(4,\), got torch.int64 of shape \(4, 1\)"):
        G(z, torch.zeros(4, 1, dtype=torch.long))
    with pytest.raises(ValueError, match=r"of shape \(4,\), got torch.int64 of shape \(3,\)"):
        G(z, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected labels in 0..2, got 0..3"):
        G(z, torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"expected labels in 0..2, got -1..1"):
        G(z, torch.tensor([-1, 0, 1, 1]))


@pytest.mark.parametrize("kind", ["concat", "projection"])
def test_labelled_discriminators_reject_bad_images_and_labels(kind):
    if kind == "concat":
        D = ConditionalDiscriminator(num_classes=3, embed_dim=2, width=4)
    else:
        D = ProjectionDiscriminator(num_classes=3, width=4)
    images, labels = torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"expected images of shape \(B, 1, 28, 28\), "
                                         r"got \(4, 1, 32, 32\)"):  # fmt: skip
        D(torch.zeros(4, 1, 32, 32), labels)
    with pytest.raises(ValueError, match=r"got \(4, 28, 28\)"):
        D(torch.zeros(4, 28, 28), labels)
    with pytest.raises(ValueError, match=r"got \(4, 3, 28, 28\)"):
        D(torch.zeros(4, 3, 28, 28), labels)
    with pytest.raises(ValueError, match=r"integers \(torch.long\)"):
        D(images, labels.float())
    with pytest.raises(ValueError, match=r"of shape \(4,\), got torch.int64 of shape \(2,\)"):
        D(images, labels[:2])
    with pytest.raises(ValueError, match=r"expected labels in 0..2, got 0..3"):
        D(images, torch.tensor([0, 1, 3, 0]))


def test_auxiliary_discriminator_takes_images_only_and_checks_their_shape():
    D = AuxiliaryDiscriminator(num_classes=3, width=4)
    with pytest.raises(ValueError, match=r"expected images of shape \(B, 1, 28, 28\), "
                                         r"got \(2, 1, 28\)"):  # fmt: skip
        D(torch.zeros(2, 1, 28))
    with pytest.raises(TypeError):
        D(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))


# The conditioning functions, against hand-computed values.


def test_condition_latent_appends_the_label_embedding_to_z():
    embedding = embedding_of([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    z = torch.tensor([[0.5], [-1.0]])
    out = condition_latent(z, torch.tensor([2, 0]), embedding)
    assert torch.equal(out, torch.tensor([[0.5, 5.0, 6.0], [-1.0, 1.0, 2.0]]))


def test_condition_images_adds_the_embedding_as_constant_channels():
    embedding = embedding_of([[1.0, 2.0], [3.0, 4.0]])
    images = torch.arange(8.0).reshape(2, 1, 2, 2)
    out = condition_images(images, torch.tensor([1, 0]), embedding)
    assert out.shape == (2, 3, 2, 2)
    assert torch.equal(out[:, :1], images)  # the image channel comes first, unchanged
    assert torch.equal(out[0, 1:], torch.tensor([3.0, 4.0])[:, None, None].expand(2, 2, 2))
    assert torch.equal(out[1, 1:], torch.tensor([1.0, 2.0])[:, None, None].expand(2, 2, 2))


def test_projection_logits_are_psi_plus_the_inner_product_with_the_embedding():
    features = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]])
    psi = nn.Linear(3, 1)
    with torch.no_grad():
        psi.weight.copy_(torch.tensor([[0.5, -1.0, 2.0]]))
        psi.bias.fill_(0.25)
    embedding = embedding_of([[1.0, 0.0, 0.0], [0.0, 1.0, -1.0]])
    out = projection_logits(features, torch.tensor([1, 0]), psi, embedding)
    # Row 0: psi = 0.5 - 2 + 6 + 0.25 = 4.75; e(1) . h = 2 - 3 = -1.
    # Row 1: psi = -0.5 + 0 + 4 + 0.25 = 3.75; e(0) . h = -1.
    assert out.shape == (2,)
    assert torch.allclose(out, torch.tensor([3.75, 2.75]))


def test_projection_discriminator_uses_its_features_psi_and_embedding():
    torch.manual_seed(0)
    D = ProjectionDiscriminator(num_classes=3, width=4).eval()
    with torch.no_grad():
        D.embedding.weight.normal_()  # larger than the init, so the term is clearly visible
    x, labels = torch.randn(6, 1, 28, 28), torch.tensor([0, 1, 2, 2, 1, 0])
    with torch.no_grad():
        h = D.features(x)
        expected = D.psi(h)[:, 0] + (D.embedding.weight[labels] * h).sum(1)
        assert torch.allclose(D(x, labels), expected, atol=1e-5)
        # The unconditional part is shared: two labels differ by (e(a) - e(b)) . phi(x).
        ones, zeros = torch.ones(6, dtype=torch.long), torch.zeros(6, dtype=torch.long)
        difference = ((D.embedding.weight[1] - D.embedding.weight[0]) * h).sum(1)
        assert torch.allclose(D(x, ones) - D(x, zeros), difference, atol=1e-5)


def test_concat_discriminator_is_a_dcgan_d_of_the_conditioned_images():
    torch.manual_seed(0)
    D = ConditionalDiscriminator(num_classes=3, embed_dim=2, width=4).eval()
    assert D.net.channels == 3  # 1 image channel + 2 embedding channels
    x, labels = torch.randn(4, 1, 28, 28), torch.tensor([2, 0, 1, 2])
    with torch.no_grad():
        expected = D.net(condition_images(x, labels, D.embedding))
        assert torch.allclose(D(x, labels), expected)


def test_custom_condition_functions_are_used():
    def ignore_labels(z, labels, embedding):
        return torch.cat([z, torch.zeros(len(z), embedding.embedding_dim)], dim=1)

    torch.manual_seed(0)
    G = ConditionalGenerator(z_dim=6, num_classes=3, embed_dim=4, width=4,
                             condition=ignore_labels).eval()  # fmt: skip
    z = torch.randn(4, 6)
    with torch.no_grad():
        assert torch.equal(G(z, torch.zeros(4, dtype=torch.long)), G(z, torch.full((4,), 2)))


# The label matters.


def test_changing_the_label_changes_gs_images_of_the_same_z():
    G = tiny_generator().eval()
    z, _ = G.sample_z(8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        images = [G(z, torch.full((8,), k)) for k in range(3)]
    for a in range(3):
        for b in range(a + 1, 3):
            per_image = (images[a] - images[b]).abs().flatten(1).amax(1)  # (8,)
            assert (per_image > 1e-4).all()


@pytest.mark.parametrize("kind", ["concat", "projection"])
def test_changing_the_label_changes_ds_logit_for_the_same_image(kind):
    torch.manual_seed(0)
    if kind == "concat":
        D = ConditionalDiscriminator(num_classes=3, embed_dim=2, width=4).eval()
    else:
        D = ProjectionDiscriminator(num_classes=3, width=4).eval()
    x = torch.randn(8, 1, 28, 28)
    with torch.no_grad():
        logits = [D(x, torch.full((8,), k)) for k in range(3)]
    for a in range(3):
        for b in range(a + 1, 3):
            assert ((logits[a] - logits[b]).abs() > 1e-6).all()


# Losses.


@pytest.fixture
def ac_inputs():
    generator = torch.Generator().manual_seed(0)
    B, K = 16, 4
    return {
        "real_logits": 3 * torch.randn(B, generator=generator),
        "real_class_logits": 3 * torch.randn(B, K, generator=generator),
        "real_labels": torch.randint(K, (B,), generator=generator),
        "fake_logits": 3 * torch.randn(B, generator=generator),
        "fake_class_logits": 3 * torch.randn(B, K, generator=generator),
        "fake_labels": torch.randint(K, (B,), generator=generator),
    }


def test_ac_d_loss_is_source_bce_plus_class_cross_entropy_on_real_and_fake(ac_inputs):
    a = ac_inputs
    source = F.binary_cross_entropy_with_logits(
        a["real_logits"], torch.ones(16)
    ) + F.binary_cross_entropy_with_logits(a["fake_logits"], torch.zeros(16))
    classes = F.cross_entropy(a["real_class_logits"], a["real_labels"]) + F.cross_entropy(
        a["fake_class_logits"], a["fake_labels"]
    )
    value = losses.ac_d_loss(**a)
    assert value.shape == ()
    assert torch.allclose(value, source + classes)
    # By hand for one sample: -log sigmoid(l_real) - log(1 - sigmoid(l_fake)) - log softmax.
    one = {name: t[:1] for name, t in a.items()}
    by_hand = (
        -math.log(torch.sigmoid(one["real_logits"]).item())
        - math.log(1 - torch.sigmoid(one["fake_logits"]).item())
        - one["real_class_logits"].log_softmax(1)[0, one["real_labels"][0]].item()
        - one["fake_class_logits"].log_softmax(1)[0, one["fake_labels"][0]].item()
    )
    assert losses.ac_d_loss(**one).item() == pytest.approx(by_hand, rel=1e-5)


def test_ac_g_loss_is_nonsaturating_bce_plus_class_cross_entropy(ac_inputs):
    a = ac_inputs
    expected = F.binary_cross_entropy_with_logits(
        a["fake_logits"], torch.ones(16)
    ) + F.cross_entropy(a["fake_class_logits"], a["fake_labels"])
    value = losses.ac_g_loss(a["fake_logits"], a["fake_class_logits"], a["fake_labels"])
    assert value.shape == () and torch.allclose(value, expected)


def test_ac_losses_reward_the_right_class():
    logits = torch.zeros(2)
    right = torch.tensor([[5.0, -5.0], [-5.0, 5.0]])
    labels = torch.tensor([0, 1])
    assert losses.ac_g_loss(logits, right, labels) < losses.ac_g_loss(logits, -right, labels)
    good = losses.ac_d_loss(logits, right, labels, logits, right, labels)
    bad = losses.ac_d_loss(logits, -right, labels, logits, -right, labels)
    assert good < bad


# Training steps.


def real_batch(n=8, num_classes=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 1, 28, 28, generator=generator) * 2 - 1
    return images, torch.randint(num_classes, (n,), generator=generator)


class Recording(nn.Module):
    """Wraps a D and records the labels of every call."""

    def __init__(self, D):
        super().__init__()
        self.D, self.calls = D, []

    def forward(self, x, labels):
        self.calls.append(labels.clone())
        return self.D(x, labels)


def test_d_step_judges_real_and_fake_with_their_own_labels_and_updates_only_d():
    G = tiny_generator()
    D = Recording(ProjectionDiscriminator(num_classes=3, width=4))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3)
    real = real_batch()
    z = G.sample_z(8, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():  # train mode: each batch normalised by its own statistics
        expected = losses.d_loss_bce(D.D(*real), D.D(G(*z), z[1])).item()
    g_before, d_before = copy_of(G), copy_of(D)
    value = conditional.d_step(G, D, opt_d, real, z)
    assert isinstance(value, float) and value == pytest.approx(expected, rel=1e-5)
    assert len(D.calls) == 2
    assert torch.equal(D.calls[0], real[1]) and torch.equal(D.calls[1], z[1])
    assert unchanged(G, g_before) and not unchanged(D, d_before)
    assert all(p.grad is None for p in G.parameters())  # the fakes were detached


def test_g_step_asks_d_about_gs_labels_and_updates_only_g():
    G = tiny_generator()
    D = Recording(ConditionalDiscriminator(num_classes=3, embed_dim=2, width=4))
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
    z = G.sample_z(8, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = losses.g_loss_nonsaturating(D.D(G(*z), z[1])).item()
    g_before, d_before = copy_of(G), copy_of(D)
    value = conditional.g_step(G, D, opt_g, z)
    assert isinstance(value, float) and value == pytest.approx(expected, rel=1e-5)
    assert len(D.calls) == 1 and torch.equal(D.calls[0], z[1])
    assert unchanged(D, d_before) and not unchanged(G, g_before)
    assert G.embedding.weight.grad.abs().sum() > 0  # the label embedding is trained too


def test_ac_d_step_returns_the_ac_d_loss_and_updates_only_d():
    G = tiny_generator()
    D = AuxiliaryDiscriminator(num_classes=3, width=4)
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3)
    real = real_batch()
    z = G.sample_z(8, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = losses.ac_d_loss(*D(real[0]), real[1], *D(G(*z)), z[1]).item()
    g_before, d_before = copy_of(G), copy_of(D)
    value = conditional.ac_d_step(G, D, opt_d, real, z)
    assert isinstance(value, float) and value == pytest.approx(expected, rel=1e-5)
    assert unchanged(G, g_before) and not unchanged(D, d_before)
    assert D.class_head.weight.grad.abs().sum() > 0


def test_ac_g_step_returns_the_ac_g_loss_and_updates_only_g():
    G = tiny_generator()
    D = AuxiliaryDiscriminator(num_classes=3, width=4)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
    z = G.sample_z(8, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = losses.ac_g_loss(*D(G(*z)), z[1]).item()
    g_before, d_before = copy_of(G), copy_of(D)
    value = conditional.ac_g_step(G, D, opt_g, z)
    assert isinstance(value, float) and value == pytest.approx(expected, rel=1e-5)
    assert unchanged(D, d_before) and not unchanged(G, g_before)


def test_train_gan_runs_the_ac_gan_steps_on_images_and_labels():
    G = tiny_generator()
    D = AuxiliaryDiscriminator(num_classes=3, width=4)
    history = train_gan(
        G, D, real_batch(64), d_step=conditional.ac_d_step, g_step=conditional.ac_g_step,
        steps=6, batch_size=8, log_every=2, progress=False,
    )  # fmt: skip
    assert history.step == [0, 2, 4]
    assert all(math.isfinite(value) for value in history.d_loss + history.g_loss)
    assert all(math.isnan(value) for value in history.g_grad)  # the steps report no norm


def test_generate_with_a_tuple_latent_is_g_of_z_and_labels_in_eval_mode():
    G = tiny_generator()
    z, labels = G.sample_z(7, generator=torch.Generator().manual_seed(3))
    images = generate(G, (z, labels), batch_size=3)  # chunks of 3, 3 and 1
    assert G.training  # restored
    G.eval()
    with torch.no_grad():
        expected = G(z, labels)
    assert images.shape == (7, 1, 28, 28) and images.dtype == torch.float32
    assert torch.allclose(images, expected, atol=1e-6)
    assert torch.allclose(generate(G, [z, labels]), expected, atol=1e-6)  # a list works too


# Learning.


def two_class_images(n=256):
    """Class 0: dark images (about -0.8), class 1: bright ones (about +0.8); (n, 1, 28, 28)."""
    labels = torch.arange(n) % 2  # (n,)
    noise = 0.1 * torch.randn(n, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    sign = (2 * labels - 1).float()[:, None, None, None]
    return (0.8 * sign + noise).clamp(-1, 1), labels


def separated(G, z, dark_label=0):
    """The fraction of codes z whose image is dark for dark_label and bright for the other."""
    n = len(z)
    dark = torch.full((n,), dark_label, dtype=torch.long)
    dark_means = generate(G, (z, dark)).mean(dim=(1, 2, 3))  # (n,)
    bright_means = generate(G, (z, 1 - dark)).mean(dim=(1, 2, 3))
    return ((dark_means < 0) & (bright_means > 0)).float().mean().item()


def trained_on(labels_of, seed=0):
    """A tiny G trained against a projection D for 150 steps on two_class_images()."""
    images, labels = two_class_images()
    torch.manual_seed(seed)
    G = ConditionalGenerator(z_dim=8, num_classes=2, embed_dim=4, width=4)
    D = ProjectionDiscriminator(num_classes=2, width=4)
    z, _ = G.sample_z(200, generator=torch.Generator().manual_seed(1))
    before = separated(G, z), separated(G, z, dark_label=1)
    history = train_gan(
        G, D, (images, labels_of(labels)), d_step=conditional.d_step, g_step=conditional.g_step,
        steps=150, batch_size=32, lr=2e-3, seed=seed, progress=False,
    )  # fmt: skip
    assert all(math.isfinite(value) for value in history.d_loss + history.g_loss)
    return G, z, before


def test_a_tiny_conditional_gan_learns_to_draw_the_class_it_is_asked_for():
    """150 steps on dark (label 0) and bright (label 1) images: for the same z, G's label-0
    image is dark and its label-1 image bright; trained on the swapped labels, the reverse.

    The second run draws the same images and codes, so a G or a D that ignored the labels would
    end up the same in both and fail one of them. Checked on 8 seeds: 100% every time.
    """
    G, z, before = trained_on(lambda labels: labels)
    assert max(before) < 0.6, before  # the untrained G does not separate the classes
    assert separated(G, z, dark_label=0) >= 0.9
    G, z, _ = trained_on(lambda labels: 1 - labels)
    assert separated(G, z, dark_label=1) >= 0.9


def test_g_step_with_mode_seeking_pairs_codes_of_the_same_label_and_adds_msgans_term():
    G = tiny_generator()
    D = Recording(ConditionalDiscriminator(num_classes=3, embed_dim=2, width=4))
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
    codes, labels = G.sample_z(9, generator=torch.Generator().manual_seed(5))  # odd: one left out
    paired = labels[:4].repeat(2)  # (8,): code 4 + i is drawn with code i's label
    with torch.no_grad():
        fake = G(codes[:8], paired)
        adversarial = losses.g_loss_nonsaturating(D.D(fake, paired))
        ratio = (fake[:4] - fake[4:]).abs().mean() / (codes[:4] - codes[4:8]).abs().mean()
    value = conditional.g_step(G, D, opt_g, (codes, labels), mode_seeking=2.0)
    assert value == pytest.approx((adversarial + 2.0 / (ratio + 1e-5)).item(), rel=1e-5)
    assert len(D.calls) == 1 and torch.equal(D.calls[0], paired)
    with pytest.raises(ValueError, match="at least 2 codes"):
        conditional.g_step(G, D, opt_g, G.sample_z(1), mode_seeking=1.0)


def test_mode_seeking_is_large_for_a_generator_that_ignores_z_and_pushes_images_apart():
    z_a, z_b = torch.randn(8, 6), torch.randn(8, 6)
    same = torch.zeros(8, 1, 4, 4)
    assert losses.mode_seeking(same, same.clone(), z_a, z_b) == pytest.approx(1e5)
    images_a = torch.zeros(8, 1, 4, 4, requires_grad=True)
    images_b = torch.full((8, 1, 4, 4), 0.5)
    term = losses.mode_seeking(images_a, images_b, z_a, z_b)
    distance = 0.5 / (z_a - z_b).abs().mean()
    assert term.item() == pytest.approx(1 / (distance.item() + 1e-5))
    term.backward()
    assert (images_a.grad > 0).all()  # a gradient step moves images_a away from images_b (0.5)
    far = losses.mode_seeking(torch.full((8, 1, 4, 4), -1.0), images_b, z_a, z_b)
    assert far < term  # images further apart, the term is smaller
    with pytest.raises(
        ValueError, match=r"matching shapes, got images \(8, 1, 4, 4\), \(7, 1, 4, 4\)"
    ):
        losses.mode_seeking(same, same[:7], z_a, z_b)
