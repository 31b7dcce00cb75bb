import pytest
import torch

from gankit.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    MLPImageDiscriminator,
    MLPImageGenerator,
    discriminator_block,
    generator_block,
    init_weights,
)


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


def n_parameters(module):
    return sum(p.numel() for p in module.parameters())


def test_mlp_image_generator_makes_images_in_range_and_d_judges_them():
    G = MLPImageGenerator(z_dim=8, image_shape=(1, 28, 28), hidden=16, depth=2)
    D = MLPImageDiscriminator(image_shape=(1, 28, 28), hidden=16, depth=2)
    images = G(G.sample_z(5, generator=torch.Generator().manual_seed(0)))
    assert images.shape == (5, 1, 28, 28)
    assert images.abs().max() <= 1 and images.std() > 0
    assert D(images).shape == (5,)
    kinds = [type(layer).__name__ for layer in G.net]
    assert kinds == ["Linear", "LeakyReLU"] * 2 + ["Linear", "Tanh"]
    assert "image_shape=(1, 28, 28)" in repr(G)


def test_mlp_image_models_reject_wrong_shapes():
    G = MLPImageGenerator(z_dim=8, image_shape=(3, 32, 32), hidden=16)
    D = MLPImageDiscriminator(image_shape=(1, 28, 28), hidden=16)
    with pytest.raises(ValueError, match=r"expected latent codes of shape \(B, 8\), got \(2, 4\)"):
        G(torch.zeros(2, 4))
    with pytest.raises(
        ValueError, match=r"expected images of shape \(B, 1, 28, 28\), got \(4, 28, 28\)"
    ):
        D(torch.zeros(4, 28, 28))
    with pytest.raises(ValueError, match=r"expected image_shape \(C, H, W\)"):
        MLPImageGenerator(image_shape=(28, 28))


@pytest.mark.parametrize("size", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_and_ranges_for_every_size(size, channels):
    G = DCGANGenerator(z_dim=10, channels=channels, size=size, width=4)
    D = DCGANDiscriminator(channels=channels, size=size, width=4)
    z = G.sample_z(3, generator=torch.Generator().manual_seed(0))
    assert z.shape == (3, 10)
    images = G(z)
    assert images.shape == (3, channels, size, size)
    assert images.abs().max() <= 1 and images.std() > 0  # tanh output, not constant
    logits = D(images)
    assert logits.shape == (3,) and logits.dtype == torch.float32


@pytest.mark.parametrize("size, base", [(28, 7), (32, 4), (64, 4)])
def test_dcgan_feature_maps_follow_the_layout(size, base):
    """G grows a base x base map by doubling; D halves down to the same map (guidelines 1, 3)."""
    G = DCGANGenerator(z_dim=10, size=size, width=4)
    D = DCGANDiscriminator(size=size, width=4)
    n_blocks = {28: 1, 32: 2, 64: 3}[size]
    projected = G.project(torch.randn(2, 10, 1, 1))
    assert projected.shape == (2, 4 * 2**n_blocks, base, base)
    assert G.blocks(projected).shape == (2, 4, size // 2, size // 2)
    assert D.blocks(torch.randn(2, 1, size, size)).shape == (2, 4 * 2**n_blocks, base, base)
    assert len(G.blocks) == n_blocks and len(D.blocks) == n_blocks + 1


def test_dcgan_64_matches_the_pytorch_examples_parameter_count():
    """pytorch/examples dcgan/main.py with nz=100, ngf=ndf=64, nc=3."""
    G = DCGANGenerator(z_dim=100, channels=3, size=64, width=64)
    D = DCGANDiscriminator(channels=3, size=64, width=64)
    assert n_parameters(G) == 3_576_704
    assert n_parameters(D) == 2_765_568


def test_dcgan_follows_the_architecture_guidelines():
    G = DCGANGenerator(z_dim=10, channels=3, size=32, width=4)
    D = DCGANDiscriminator(channels=3, size=32, width=4)
    g_layers = [type(m).__name__ for m in G.modules() if not list(m.children())]  # leaves
    d_layers = [type(m).__name__ for m in D.modules() if not list(m.children())]
    assert "Linear" not in g_layers + d_layers and "MaxPool2d" not in d_layers  # guidelines 1, 3
    assert set(g_layers[:-2]) == {"ConvTranspose2d", "BatchNorm2d", "ReLU"}  # guidelines 2, 4
    assert g_layers[-2:] == ["ConvTranspose2d", "Tanh"]  # no BatchNorm at G's output
    assert d_layers[:2] == ["Conv2d", "LeakyReLU"]  # no BatchNorm at D's input
    assert (
        set(d_layers[2:-1]) == {"Conv2d", "BatchNorm2d", "LeakyReLU"} and d_layers[-1] == "Conv2d"
    )
    assert all(m.negative_slope == 0.2 for m in D.modules() if isinstance(m, torch.nn.LeakyReLU))


def test_blocks_double_and_halve_the_resolution():
    up = generator_block(8, 4)
    assert [type(m).__name__ for m in up] == ["ConvTranspose2d", "BatchNorm2d", "ReLU"]
    assert up(torch.randn(2, 8, 5, 5)).shape == (2, 4, 10, 10)
    down = discriminator_block(4, 8)
    assert [type(m).__name__ for m in down] == ["Conv2d", "BatchNorm2d", "LeakyReLU"]
    assert down(torch.randn(2, 4, 10, 10)).shape == (2, 8, 5, 5)
    first = discriminator_block(3, 8, batch_norm=False)
    assert [type(m).__name__ for m in first] == ["Conv2d", "LeakyReLU"]


def test_init_weights_draws_the_dcgan_initialisation():
    torch.manual_seed(0)
    G = DCGANGenerator(z_dim=100, channels=1, size=32, width=32)
    convs = [m.weight for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    weights = torch.cat([w.flatten() for w in convs])
    assert abs(weights.mean().item()) < 1e-3
    assert weights.std().item() == pytest.approx(0.02, rel=0.02)
    bn = [m for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    scales = torch.cat([m.weight.detach() for m in bn])
    assert scales.mean().item() == pytest.approx(1.0, abs=0.01)
    assert 0.01 < scales.std().item() < 0.03
    assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in bn)
    conv = torch.nn.Conv2d(2, 2, 3, bias=True)
    init_weights(conv)
    assert torch.equal(conv.bias, torch.zeros(2))


def test_dcgan_rejects_unsupported_sizes_and_wrong_shapes():
    with pytest.raises(ValueError, match="expected size 28, 32 or 64, got 48"):
        DCGANGenerator(size=48)
    with pytest.raises(ValueError, match="expected size 28, 32 or 64, got 16"):
        DCGANDiscriminator(size=16)
    with pytest.raises(ValueError, match="expected width >= 1, got 0"):
        DCGANDiscriminator(width=0)
    G = DCGANGenerator(z_dim=10, size=28, width=4)
    D = DCGANDiscriminator(channels=1, size=28, width=4)
    with pytest.raises(
        ValueError, match=r"expected latent codes of shape \(B, 10\), got \(2, 10, 1, 1\)"
    ):
        G(torch.zeros(2, 10, 1, 1))
    with pytest.raises(
        ValueError, match=r"expected images of shape \(B, 1, 28, 28\), got \(2, 28, 28\)"
    ):
        D(torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match=r"got \(2, 3, 28, 28\)"):
        D(torch.zeros(2, 3, 28, 28))


def test_dcgan_settings_appear_in_repr_for_checkpoints():
    assert "z_dim=64, channels=1, size=28, width=32" in repr(DCGANGenerator(64, 1, 28, 32))
    assert "channels=3, size=64, width=8" in repr(DCGANDiscriminator(channels=3, size=64, width=8))


def test_gradients_reach_every_dcgan_generator_parameter_through_d():
    G, D = DCGANGenerator(z_dim=8, size=28, width=4), DCGANDiscriminator(size=28, width=4)
    D(G(G.sample_z(4))).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


def test_dcgan_is_built_from_the_blocks_it_is_given():
    """Lesson 03 passes the student's blocks; each is called with the layout's channels."""
    from gankit.models import dcgan

    calls = []

    def logged(block):
        def build(*args, **kwargs):
            calls.append((block.__name__, args, kwargs))
            return block(*args, **kwargs)

        return build

    G = DCGANGenerator(z_dim=8, channels=1, size=32, width=4, block=logged(dcgan.generator_block))
    D = DCGANDiscriminator(channels=1, size=32, width=4, block=logged(dcgan.discriminator_block))
    assert calls == [
        ("generator_block", (16, 8), {}),
        ("generator_block", (8, 4), {}),
        ("discriminator_block", (1, 4), {"batch_norm": False}),
        ("discriminator_block", (4, 8), {}),
        ("discriminator_block", (8, 16), {}),
    ]
    assert D(G(G.sample_z(2))).shape == (2,)
