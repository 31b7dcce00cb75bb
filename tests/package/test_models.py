import pytest
import torch

from gankit.models import MLPDiscriminator, MLPGenerator


def test_generator_output_shape():
    G = MLPGenerator(z_dim=3, out_dim=2, hidden=16, depth=2)
    assert G.z_dim == 3 and G.out_dim == 2
    z = G.sample_z(5)
    assert z.shape == (5, 3) and z.dtype == torch.float32
    assert G(z).shape == (5, 2)


def test_generator_layers_follow_the_brief():
    G = MLPGenerator(z_dim=2, out_dim=1, hidden=8, depth=3)
    kinds = [type(layer).__name__ for layer in G.net]
    assert kinds == ["Linear", "ReLU"] * 3 + ["Linear"]  # no output activation
    D = MLPDiscriminator(in_dim=2, hidden=8, depth=2)
    kinds = [type(layer).__name__ for layer in D.net]
    assert kinds == ["Linear", "LeakyReLU"] * 2 + ["Linear"]
    assert D.net[1].negative_slope == 0.2


def test_discriminator_returns_one_logit_per_sample():
    D = MLPDiscriminator(in_dim=3, hidden=16, depth=2)
    assert D.in_dim == 3
    assert D(torch.randn(7, 3)).shape == (7,)


def test_sample_z_is_reproducible_with_a_seeded_generator():
    G = MLPGenerator(hidden=8)
    a = G.sample_z(10, generator=torch.Generator().manual_seed(1))
    b = G.sample_z(10, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert not torch.equal(a, G.sample_z(10, generator=torch.Generator().manual_seed(2)))


def test_generator_rejects_wrong_latent_shape():
    G = MLPGenerator(z_dim=2, hidden=8)
    with pytest.raises(ValueError, match=r"expected latent codes of shape \(B, 2\), got \(4, 3\)"):
        G(torch.zeros(4, 3))
    with pytest.raises(ValueError, match=r"got \(2,\)"):
        G(torch.zeros(2))


def test_discriminator_rejects_wrong_sample_shape():
    D = MLPDiscriminator(in_dim=2, hidden=8)
    with pytest.raises(ValueError, match=r"expected samples of shape \(B, 2\), got \(4, 1\)"):
        D(torch.zeros(4, 1))


def test_gradients_reach_every_generator_parameter_through_d():
    G, D = MLPGenerator(hidden=8, depth=2), MLPDiscriminator(hidden=8, depth=2)
    D(G(G.sample_z(4))).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_sample_z_lands_on_the_module_device():
    G = MLPGenerator(hidden=8).cuda()
    z = G.sample_z(4, generator=torch.Generator().manual_seed(0))
    assert z.device.type == "cuda"
    assert torch.equal(
        z.cpu(), MLPGenerator(hidden=8).sample_z(4, torch.Generator().manual_seed(0))
    )


def test_packed_discriminator_judges_consecutive_samples_together():
    from gankit.models import Packed

    inner = MLPDiscriminator(in_dim=4, hidden=8, depth=1)
    D = Packed(inner, packing=2)
    x = torch.randn(6, 2)
    logits = D(x)
    assert logits.shape == (3,)
    assert torch.equal(logits, inner(torch.cat([x[0::2], x[1::2]], dim=1)))
    with pytest.raises(ValueError, match="multiple of packing=2"):
        D(torch.randn(5, 2))
