import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit import losses, training
from gankit.data import ring
from gankit.models import MLPDiscriminator, MLPGenerator, wgan


@pytest.fixture
def logits():
    generator = torch.Generator().manual_seed(0)
    return 3 * torch.randn(64, generator=generator), 3 * torch.randn(64, generator=generator)


def linear_critic(w):
    """f(x) = w . x, whose gradient is w everywhere: |grad f| = |w|."""
    critic = nn.Linear(len(w), 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.as_tensor(w, dtype=torch.float32)[None])
    return critic


def test_wasserstein_losses_are_differences_of_mean_scores(logits):
    real, fake = logits
    assert torch.allclose(losses.d_loss_wasserstein(real, fake), -(real.mean() - fake.mean()))
    assert torch.allclose(losses.g_loss_wasserstein(fake), -fake.mean())
    assert losses.d_loss_wasserstein(real[:, None], fake[:, None]).shape == ()


def test_hinge_losses_match_the_formula_and_ignore_samples_beyond_the_margin(logits):
    real, fake = logits
    expected = torch.clamp(1 - real, min=0).mean() + torch.clamp(1 + fake, min=0).mean()
    assert torch.allclose(losses.d_loss_hinge(real, fake), expected)
    assert torch.allclose(losses.g_loss_hinge(fake), -fake.mean())
    real = torch.tensor([2.0, 0.5], requires_grad=True)  # the first is beyond the margin
    losses.d_loss_hinge(real, torch.tensor([-3.0])).backward()
    assert real.grad.tolist() == [0.0, -0.5]


def test_least_squares_losses_are_half_mean_squared_errors(logits):
    real, fake = logits
    expected = 0.5 * F.mse_loss(real, torch.ones_like(real)) + 0.5 * F.mse_loss(
        fake, torch.zeros_like(fake)
    )
    assert torch.allclose(losses.d_loss_least_squares(real, fake), expected)
    assert torch.allclose(
        losses.g_loss_least_squares(fake), 0.5 * F.mse_loss(fake, torch.ones_like(fake))
    )


def test_clip_weights_clamps_every_parameter_in_place():
    D = MLPDiscriminator(in_dim=2, hidden=16)
    with torch.no_grad():
        for p in D.parameters():
            p.mul_(100)
    wgan.clip_weights(D, 0.01)
    assert all(p.abs().max() <= 0.01 for p in D.parameters())
    assert any(p.abs().max() == 0.01 for p in D.parameters())
    with pytest.raises(ValueError, match="expected clip > 0, got 0"):
        wgan.clip_weights(D, 0)


def test_gradient_penalty_of_a_linear_critic_is_its_norm_minus_one_squared():
    critic = linear_critic([3.0, 4.0])  # |w| = 5 everywhere
    real, fake = torch.randn(8, 2), torch.randn(8, 2)
    assert wgan.gradient_penalty(critic, real, fake).item() == pytest.approx(16.0)
    assert wgan.gradient_penalty(linear_critic([0.6, 0.8]), real, fake).item() == pytest.approx(
        0.0, abs=1e-12
    )


def test_gradient_penalty_trains_the_critic_through_create_graph():
    critic = linear_critic([3.0, 4.0])
    wgan.gradient_penalty(critic, torch.randn(8, 2), torch.randn(8, 2)).backward()
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w| = 2 * 4 * (0.6, 0.8)
    assert torch.allclose(critic.weight.grad, torch.tensor([[4.8, 6.4]]))


def test_gradient_penalty_is_taken_at_interpolates_one_eps_per_sample():
    # f(x) = |x|^2 / 2 has gradient x: the penalty reveals where it was evaluated.
    critic = lambda x: 0.5 * (x**2).flatten(1).sum(1)  # noqa: E731
    real, fake = torch.randn(16, 1, 3, 3), torch.randn(16, 1, 3, 3)
    got = wgan.gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(5))
    eps = torch.rand(16, 1, 1, 1, generator=torch.Generator().manual_seed(5))
    x_hat = eps * real + (1 - eps) * fake
    assert got.item() == pytest.approx(
        ((x_hat.flatten(1).norm(dim=1) - 1) ** 2).mean().item(), rel=1e-5
    )
    with pytest.raises(ValueError, match=r"same shape, got \(16, 1, 3, 3\) and \(8, 1, 3, 3\)"):
        wgan.gradient_penalty(critic, real, fake[:8])


def test_r1_penalty_is_the_squared_gradient_norm_on_real_samples():
    critic = linear_critic([3.0, 4.0])
    penalty = wgan.r1_penalty(critic, torch.randn(8, 2))
    assert penalty.item() == pytest.approx(25.0)
    penalty.backward()  # d/dw |w|^2 = 2 w
    assert torch.allclose(critic.weight.grad, torch.tensor([[6.0, 8.0]]))


def test_power_iteration_matches_pytorch_spectral_norm_and_converges_to_sigma_max():
    torch.manual_seed(0)
    for layer in [nn.Linear(6, 5), nn.Conv2d(3, 4, 3)]:
        weight = layer.weight.detach().clone()
        nn.utils.parametrizations.spectral_norm(layer)
        u = layer.parametrizations.weight[0]._u.detach().clone()  # PyTorch's stored u
        normalised = layer.weight.detach()  # a training-mode access runs one power iteration
        sigma, u_next, _ = wgan.power_iteration(weight, u)
        assert torch.allclose(weight / sigma, normalised, atol=1e-6)
        assert torch.allclose(u_next, layer.parametrizations.weight[0]._u, atol=1e-6)
        for _ in range(200):
            sigma, u, _ = wgan.power_iteration(weight, u)
        assert sigma.item() == pytest.approx(
            torch.linalg.matrix_norm(weight.flatten(1), ord=2).item(), rel=1e-4
        )
    with pytest.raises(ValueError, match=r"expected u of shape \(5,\)"):
        wgan.power_iteration(torch.randn(5, 6), torch.randn(6))


def test_spectral_norm_makes_every_layer_1_lipschitz():
    torch.manual_seed(0)
    D = wgan.spectral_norm(MLPDiscriminator(in_dim=2, hidden=32))
    for _ in range(50):  # power iteration runs once per training forward pass
        D(torch.randn(4, 2))
    layers = [m for m in D.modules() if isinstance(m, nn.Linear)]
    assert len(layers) >= 3
    for layer in layers:
        assert torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item() == pytest.approx(
            1.0, abs=1e-3
        )
    with pytest.raises(ValueError, match="expected a network with Linear or Conv layers, got ReLU"):
        wgan.spectral_norm(nn.ReLU())


def test_d_step_updates_only_the_critic_and_clips_after_the_step():
    torch.manual_seed(0)
    G, D = MLPGenerator(z_dim=2, hidden=16), MLPDiscriminator(in_dim=2, hidden=16)
    g_before = [p.detach().clone() for p in G.parameters()]
    d_before = [p.detach().clone() for p in D.parameters()]
    opt_d = torch.optim.Adam(D.parameters(), lr=0.1)
    loss = wgan.d_step(
        G, D, opt_d, torch.randn(32, 2), G.sample_z(32), gp_weight=10.0, r1_weight=1.0, clip=0.05
    )
    assert isinstance(loss, float)
    assert all(torch.equal(a, b) for a, b in zip(g_before, G.parameters(), strict=True))
    assert not any(torch.equal(a, b) for a, b in zip(d_before, D.parameters(), strict=True))
    assert all(p.abs().max() <= 0.05 for p in D.parameters())


def test_d_step_adds_the_weighted_penalties_to_the_loss():
    critic, G = linear_critic([3.0, 4.0]), MLPGenerator(z_dim=2, hidden=8)
    real, z = torch.randn(8, 2), G.sample_z(8)
    plain = losses.d_loss_wasserstein(critic(real), critic(G(z))).item()
    opt = torch.optim.SGD(critic.parameters(), lr=0.0)
    assert wgan.d_step(G, critic, opt, real, z, gp_weight=10.0) == pytest.approx(
        plain + 10 * 16, rel=1e-5
    )
    assert wgan.d_step(G, critic, opt, real, z, r1_weight=2.0) == pytest.approx(
        plain + 25, rel=1e-5
    )


def test_wgan_gp_trains_through_train_gan_with_n_critic_steps():
    torch.manual_seed(0)
    G, D = MLPGenerator(z_dim=2, hidden=32), MLPDiscriminator(in_dim=2, hidden=32)
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return wgan.d_step(*args, **kwargs, gp_weight=10.0)

    history = training.train_gan(
        G,
        D,
        ring().sample,
        d_step=counted,
        g_loss=losses.g_loss_wasserstein,
        steps=4,
        d_steps=5,
        batch_size=16,
        progress=False,
        log_every=1,
    )
    assert len(calls) == 20
    assert len(history) == 4


def test_critic_block_builds_a_dcgan_critic_without_batch_norm():
    from gankit.models import DCGANDiscriminator

    D = DCGANDiscriminator(channels=1, size=28, width=8, block=wgan.critic_block)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in D.modules())
    x = torch.randn(4, 1, 28, 28)
    alone = D(x[:1])
    assert torch.allclose(
        D(x)[:1], alone, atol=1e-6
    )  # a sample's score does not depend on its batch
    assert wgan.gradient_penalty(D, x, torch.randn(4, 1, 28, 28)).item() >= 0


def test_r1_penalty_can_reuse_the_forward_pass_of_the_real_batch():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    real = torch.randn(8, 2)
    again = real.clone().requires_grad_(True)
    reused = wgan.r1_penalty(critic, again, real_logits=critic(again))
    assert reused.item() == pytest.approx(wgan.r1_penalty(critic, real).item(), rel=1e-6)
    with pytest.raises(ValueError, match="requires grad"):
        wgan.r1_penalty(critic, real, real_logits=critic(real))
