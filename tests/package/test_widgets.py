import ipywidgets
import pytest
import torch

from gankit.models import DCGANGenerator, MLPImageGenerator
from gankit.training import ema_generator, generate
from gankit.widgets import LatentExplorer, latent_explorer, principal_directions, slerp


def small_generator(seed=0):
    torch.manual_seed(seed)
    return MLPImageGenerator(z_dim=16, image_shape=(1, 8, 8), hidden=32, depth=2)


class Linear(torch.nn.Module):
    """G(z) = A z as a (1, 4, 4) image; A stretches z's axis 3 ten times more than the others."""

    z_dim = 8

    def __init__(self):
        super().__init__()
        A = torch.randn(16, 8, generator=torch.Generator().manual_seed(0))
        A[:, 3] *= 10
        self.A = torch.nn.Parameter(A)

    def sample_z(self, n, generator=None):
        return torch.randn(n, 8, generator=generator)

    def forward(self, z):
        return (z @ self.A.T).view(len(z), 1, 4, 4)


def test_slerp_ends_at_both_codes_and_keeps_the_norm_between_them():
    z0, z1 = torch.randn(5, 16), torch.randn(5, 16)
    assert torch.allclose(slerp(z0, z1, 0.0), z0, atol=1e-5)
    assert torch.allclose(slerp(z0, z1, 1.0), z1, atol=1e-5)
    unit0, unit1 = z0 / z0.norm(dim=1, keepdim=True), z1 / z1.norm(dim=1, keepdim=True)
    middle = slerp(unit0, unit1, 0.5)
    assert torch.allclose(middle.norm(dim=1), torch.ones(5), atol=1e-5)  # on the sphere
    assert (unit0 * 0.5 + unit1 * 0.5).norm(dim=1).max() < 1  # the straight line cuts inside
    assert torch.allclose(slerp(z0, 2 * z0, 0.5), 1.5 * z0)  # parallel codes: the line
    with pytest.raises(ValueError, match=r"same shape, got \(5, 16\) and \(4, 16\)"):
        slerp(z0, z1[:4], 0.5)


def test_principal_directions_are_unit_and_nearly_orthogonal():
    U = principal_directions(small_generator(), n=4, n_fit=400, seed=0)
    assert U.shape == (4, 16)
    assert torch.allclose(U.norm(dim=1), torch.ones(4), atol=1e-5)
    off_diagonal = (U @ U.T - torch.eye(4)).abs()
    assert off_diagonal.max() < 0.3


def test_principal_directions_of_a_linear_generator_are_its_right_singular_vectors():
    """For G(z) = A z, component k of G's outputs is s_k u_k; regressing z on it gives v_k."""
    G = Linear()
    U = principal_directions(G, n=2, n_fit=2000, seed=0)
    V = torch.linalg.svd(G.A.detach()).Vh[:2]  # (2, z_dim), the top right singular vectors
    assert (U * V).sum(dim=1).abs().min() > 0.99
    assert abs(U[0, 3].item()) > 0.9  # mostly the stretched axis


def test_the_first_direction_changes_the_images_more_than_random_ones():
    G = small_generator()
    U = principal_directions(G, n=4, n_fit=400, seed=0)
    z = G.sample_z(64, generator=torch.Generator().manual_seed(5))
    base = generate(G, z)

    def change(direction):
        return ((generate(G, z + 2 * direction) - base) ** 2).mean().item()

    randoms = torch.randn(8, 16, generator=torch.Generator().manual_seed(1))
    randoms = randoms / randoms.norm(dim=1, keepdim=True)
    assert change(U[0]) > 2 * max(change(r) for r in randoms)


def test_principal_directions_checks_its_counts():
    with pytest.raises(ValueError, match="expected 1 <= n <= z_dim = 16 and n_fit > n"):
        principal_directions(small_generator(), n=20, n_fit=100)


def test_explorer_redraws_when_a_slider_moves():
    explorer = latent_explorer(small_generator(), n_directions=3, n_fit=200, n_images=4)
    assert isinstance(explorer, ipywidgets.Widget)
    assert len(explorer.sliders) == 3 and explorer.directions.shape == (3, 16)
    first = explorer.png
    assert first.startswith(b"\x89PNG") and explorer.image.value == first
    explorer.sliders[0].value = 2.5
    moved = explorer.png
    assert moved != first
    assert torch.allclose(explorer.codes(), explorer._codes_of(0) + 2.5 * explorer.directions[0])
    explorer.sliders[0].value = 0.0
    assert explorer.png == first


def test_explorer_interpolates_from_seed_a_to_seed_b():
    G = small_generator()
    explorer = latent_explorer(G, n_fit=200, seed=3, n_images=4)
    assert (explorer.seed_a.value, explorer.seed_b.value) == (3, 4)

    def images_of(seed):
        return generate(G, G.sample_z(4, generator=torch.Generator().manual_seed(seed)))

    assert torch.allclose(explorer.images(), images_of(3), atol=1e-5)
    start = explorer.png
    explorer.t.value = 1.0
    assert torch.allclose(explorer.images(), images_of(4), atol=1e-5)
    explorer.t.value = 0.5
    middle = explorer.images()
    assert not torch.allclose(middle, images_of(3)) and not torch.allclose(middle, images_of(4))
    explorer.seed_a.value = 10
    explorer.t.value = 0.0
    assert torch.allclose(explorer.images(), images_of(10), atol=1e-5)
    assert explorer.png != start


def test_resample_moves_both_seeds_and_redraws_once():
    explorer = latent_explorer(small_generator(), n_fit=200, n_images=4)
    drawn = []
    explorer.image.observe(lambda change: drawn.append(change), names="value")
    before = explorer.png
    explorer.resample.click()
    assert (explorer.seed_a.value, explorer.seed_b.value) == (2, 3)
    assert len(drawn) == 1 and explorer.png != before


def test_explorer_takes_a_dcgan_or_its_ema_copy():
    G = DCGANGenerator(z_dim=8, size=28, width=4)
    explorer = latent_explorer(ema_generator(G).module, n_directions=2, n_fit=100, n_images=2)
    assert isinstance(explorer, LatentExplorer) and explorer.images().shape == (2, 1, 28, 28)
    with pytest.raises(TypeError, match="pass ema.module"):
        latent_explorer(ema_generator(G))


def test_explorer_rejects_a_generator_of_points():
    from gankit.models import MLPGenerator

    with pytest.raises(ValueError, match=r"expected a generator of images \(B, C, H, W\)"):
        latent_explorer(MLPGenerator(hidden=8))


# Conditional and InfoGAN generators.


def tiny_conditional(seed=0):
    from gankit.models.conditional import ConditionalGenerator

    torch.manual_seed(seed)
    return ConditionalGenerator(z_dim=6, num_classes=3, embed_dim=4, width=4)


def tiny_infogan(seed=0):
    from gankit.models.infogan import InfoGANGenerator

    torch.manual_seed(seed)
    return InfoGANGenerator(noise_dim=4, categories=3, continuous=2, width=4)


def test_class_picker_keeps_z_and_redraws_when_the_class_changes():
    from gankit.widgets import ClassPicker, class_picker

    G = tiny_conditional()
    picker = class_picker(G, n_images=4)
    assert isinstance(picker, ClassPicker) and isinstance(picker, ipywidgets.Widget)
    assert [value for _, value in picker.label.options] == [0, 1, 2]
    first = picker.png
    assert first.startswith(b"\x89PNG") and picker.image.value == first
    z0, labels = picker.codes()
    assert z0.shape == (4, 6) and torch.equal(labels, torch.zeros(4, dtype=torch.long))
    assert torch.equal(picker.images(), generate(G, (z0, labels)))

    picker.label.value = 2
    z2, labels = picker.codes()
    assert torch.equal(z2, z0)  # the same codes z, another class
    assert torch.equal(labels, torch.full((4,), 2))
    assert picker.png != first
    assert torch.equal(picker.images(), generate(G, (z0, labels)))
    picker.label.value = 0
    assert picker.png == first


def test_class_picker_draws_new_codes_for_a_new_seed():
    from gankit.widgets import class_picker

    G = tiny_conditional()
    picker = class_picker(G, seed=3, n_images=4)
    z3, _ = picker.codes()
    assert torch.equal(z3, G.sample_z(4, generator=torch.Generator().manual_seed(3))[0])
    first = picker.png
    picker.seed.value = 4
    assert not torch.equal(picker.codes()[0], z3)
    assert picker.png != first


def test_class_picker_names_the_classes_and_checks_them():
    from gankit.widgets import class_picker

    G = tiny_conditional()
    picker = class_picker(G, n_images=2, class_names=["cat", "dog", "bird"])
    assert picker.label.options == (("cat", 0), ("dog", 1), ("bird", 2))
    with pytest.raises(ValueError, match="expected 3 class names, got 2"):
        class_picker(G, class_names=["cat", "dog"])


def test_code_sliders_move_one_code_with_the_others_held():
    from gankit.widgets import CodeSliders, code_sliders

    G = tiny_infogan()
    sliders = code_sliders(G, n_images=4)
    assert isinstance(sliders, CodeSliders) and len(sliders.continuous) == 2
    assert sliders.category.max == 2
    first, latent = sliders.png, sliders.codes()
    assert first.startswith(b"\x89PNG")
    noise, cat, cont = G.split(latent)
    assert latent.shape == (4, 9)
    assert torch.equal(cat, torch.zeros(4, dtype=torch.long)) and torch.equal(
        cont, torch.zeros(4, 2)
    )
    assert torch.equal(noise, torch.randn(4, 4, generator=torch.Generator().manual_seed(0)))
    assert torch.equal(sliders.images(), generate(G, latent))

    sliders.continuous[1].value = 1.5
    moved = sliders.codes()
    assert sliders.png != first
    assert torch.equal(moved[:, :7], latent[:, :7])  # the noise and the category are held
    assert torch.allclose(moved[:, 7:], torch.tensor([0.0, 1.5]).expand(4, 2))
    sliders.continuous[1].value = 0.0
    assert sliders.png == first

    sliders.category.value = 2
    noise_2, cat_2, cont_2 = G.split(sliders.codes())
    assert torch.equal(noise_2, noise) and torch.equal(cont_2, cont)
    assert torch.equal(cat_2, torch.full((4,), 2))
    assert sliders.png != first


def test_code_sliders_draw_new_noise_for_a_new_seed():
    from gankit.widgets import code_sliders

    sliders = code_sliders(tiny_infogan(), n_images=4)
    first, latent = sliders.png, sliders.codes()
    sliders.seed.value = 1
    assert not torch.equal(sliders.codes()[:, :4], latent[:, :4])
    assert torch.equal(sliders.codes()[:, 4:], latent[:, 4:])
    assert sliders.png != first


def test_pickers_reject_the_wrong_kind_of_generator():
    from gankit.widgets import class_picker, code_sliders

    with pytest.raises(TypeError, match="expected a conditional generator"):
        class_picker(tiny_infogan())
    with pytest.raises(TypeError, match="expected a conditional generator"):
        class_picker(DCGANGenerator(z_dim=8, size=28, width=4))
    with pytest.raises(TypeError, match="expected an InfoGAN generator"):
        code_sliders(tiny_conditional())
    with pytest.raises(TypeError, match="expected an InfoGAN generator"):
        code_sliders(small_generator())
