import pytest
import torch
import torch.nn.functional as F

from gankit.losses import d_loss_bce, g_loss_nonsaturating, g_loss_saturating, value_function


@pytest.fixture
def logits():
    generator = torch.Generator().manual_seed(0)
    return 3 * torch.randn(64, generator=generator), 3 * torch.randn(64, generator=generator)


def test_d_loss_is_bce_with_real_label_1_and_fake_label_0(logits):
    real, fake = logits
    expected = F.binary_cross_entropy_with_logits(
        real, torch.ones_like(real)
    ) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
    assert torch.allclose(d_loss_bce(real, fake), expected)


def test_value_function_is_minus_the_d_loss_and_the_log_formula(logits):
    real, fake = logits
    explicit = torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean()
    assert torch.allclose(value_function(real, fake), -d_loss_bce(real, fake))
    assert torch.allclose(value_function(real, fake), explicit, atol=1e-5)


def test_generator_losses_match_bce(logits):
    _, fake = logits
    # Saturating: E[log(1 - D(G(z)))] = -BCE(fake, label 0).
    assert torch.allclose(
        g_loss_saturating(fake), -F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
    )
    # Non-saturating: -E[log D(G(z))] = BCE(fake, label 1).
    assert torch.allclose(
        g_loss_nonsaturating(fake), F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    )


def test_losses_accept_b_by_1_logits(logits):
    real, fake = logits
    assert d_loss_bce(real[:, None], fake[:, None]).shape == ()
    assert torch.allclose(d_loss_bce(real[:, None], fake[:, None]), d_loss_bce(real, fake))
    assert g_loss_nonsaturating(fake[:, None]).shape == ()


def test_equilibrium_value_is_minus_log_4():
    zeros = torch.zeros(10)
    assert value_function(zeros, zeros).item() == pytest.approx(
        -torch.log(torch.tensor(4.0)).item()
    )


def test_stable_for_logits_of_magnitude_100():
    big, small = torch.tensor([100.0]), torch.tensor([-100.0])
    assert d_loss_bce(big, small).item() == pytest.approx(0.0, abs=1e-6)  # D is right
    assert d_loss_bce(small, big).item() == pytest.approx(200.0)  # D is confidently wrong
    assert value_function(small, big).item() == pytest.approx(-200.0)
    assert g_loss_saturating(big).item() == pytest.approx(-100.0)
    assert g_loss_saturating(small).item() == pytest.approx(0.0, abs=1e-6)
    assert g_loss_nonsaturating(small).item() == pytest.approx(100.0)
    assert g_loss_nonsaturating(big).item() == pytest.approx(0.0, abs=1e-6)

    real = torch.tensor([-100.0, 100.0], requires_grad=True)
    fake = torch.tensor([100.0, -100.0], requires_grad=True)
    d_loss_bce(real, fake).backward()
    assert torch.isfinite(real.grad).all() and torch.isfinite(fake.grad).all()


def test_saturating_gradient_vanishes_when_d_rejects_fakes_nonsaturating_does_not():
    # D(G(z)) = sigmoid(-10) ~ 4.5e-5: D confidently rejects the fakes, as early in training.
    fake = torch.full((8,), -10.0, requires_grad=True)
    (saturating,) = torch.autograd.grad(g_loss_saturating(fake), fake)
    (nonsaturating,) = torch.autograd.grad(g_loss_nonsaturating(fake), fake)
    # Per sample: d/dl of -softplus(l) = -sigmoid(l); d/dl of softplus(-l) = -(1 - sigmoid(l)).
    assert saturating.abs().max().item() < 1e-5
    assert nonsaturating.abs().min().item() > 0.99 / 8
    # Both push the logit up (descending the loss raises D(G(z))).
    assert (saturating < 0).all() and (nonsaturating < 0).all()
