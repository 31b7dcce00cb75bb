import math

import pytest
import scipy.stats
import torch

from gankit.data import GaussianMixture, grid, mixture_1d, ring


def test_sample_shape_dtype_and_device():
    mixture = ring()
    x = mixture.sample(100, generator=torch.Generator().manual_seed(0))
    assert x.shape == (100, 2)
    assert x.dtype == torch.float32
    assert x.device.type == "cpu"
    assert mixture_1d().sample(7).shape == (7, 1)


def test_sample_is_reproducible_with_a_seeded_generator():
    mixture = grid()
    a = mixture.sample(500, generator=torch.Generator().manual_seed(3))
    b = mixture.sample(500, generator=torch.Generator().manual_seed(3))
    c = mixture.sample(500, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_sample_moments_match_the_mixture():
    # Two 1-D modes at -2 and 2, weights 1/4 and 3/4, std 0.5:
    # mean = 0.25 * -2 + 0.75 * 2 = 1; var = E[x^2] - mean^2 = (0.25 + 4) - 1 = 3.25.
    mixture = mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5), weights=(1, 3))
    x = mixture.sample(100_000, generator=torch.Generator().manual_seed(0))
    assert x.mean().item() == pytest.approx(1.0, abs=0.03)
    assert x.std().item() == pytest.approx(math.sqrt(3.25), abs=0.03)


def test_samples_of_one_component_have_its_std():
    mixture = GaussianMixture([[1.0, -1.0]], std=0.3)
    x = mixture.sample(50_000, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(x.mean(0), torch.tensor([1.0, -1.0]), atol=0.01)
    assert torch.allclose(x.std(0), torch.tensor([0.3, 0.3]), atol=0.01)


def test_ring_centers_lie_on_the_circle_at_even_angles():
    mixture = ring(n_modes=8, radius=2.0, std=0.02)
    assert mixture.n_modes == 8 and mixture.dim == 2
    assert torch.allclose(mixture.centers.norm(dim=1), torch.full((8,), 2.0))
    angles = torch.atan2(mixture.centers[:, 1], mixture.centers[:, 0])
    expected = torch.tensor([2 * math.pi * k / 8 for k in range(8)])
    assert torch.allclose(torch.remainder(angles, 2 * math.pi), expected, atol=1e-5)
    assert torch.allclose(mixture.weights, torch.full((8,), 1 / 8))


def test_grid_centers_are_centred_on_zero():
    mixture = grid()
    assert mixture.n_modes == 25
    found = {tuple(c) for c in mixture.centers.round().int().tolist()}
    assert found == {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert torch.allclose(mixture.std, torch.full((25,), 0.05))


def test_log_prob_matches_scipy_in_1d():
    mixture = mixture_1d(means=(-1.0, 3.0), stds=(0.5, 2.0), weights=(2, 1))
    x = torch.linspace(-4, 6, 41)[:, None]  # (41, 1)
    expected = 2 / 3 * scipy.stats.norm.pdf(x, -1, 0.5) + 1 / 3 * scipy.stats.norm.pdf(x, 3, 2)
    assert torch.allclose(
        mixture.pdf(x), torch.tensor(expected[:, 0], dtype=torch.float32), rtol=1e-5
    )


def test_log_prob_matches_scipy_in_2d():
    mixture = GaussianMixture([[0.0, 0.0], [2.0, 1.0]], std=[1.0, 0.5], weights=[0.3, 0.7])
    x = torch.tensor([[0.0, 0.0], [2.0, 1.0], [1.0, 0.5], [-3.0, 4.0]])
    expected = 0.3 * scipy.stats.multivariate_normal.pdf(x, mean=[0, 0], cov=1.0) + (
        0.7 * scipy.stats.multivariate_normal.pdf(x, mean=[2, 1], cov=0.25)
    )
    assert torch.allclose(mixture.log_prob(x), torch.tensor(expected).log().float(), atol=1e-5)


def test_log_prob_is_finite_far_from_every_mode():
    log_p = ring(std=0.02).log_prob(torch.tensor([[100.0, 100.0]]))
    assert torch.isfinite(log_p).all()


def test_dataset_is_fixed_by_its_seed():
    mixture = ring()
    a, b = mixture.dataset(64, seed=1), mixture.dataset(64, seed=1)
    assert len(a) == 64
    assert torch.equal(a.tensors[0], b.tensors[0])
    assert a[0][0].shape == (2,)


def test_repr_names_the_mixture():
    assert repr(ring()) == "GaussianMixture(n_modes=8, dim=2, std=0.02)"
    assert "weights=[0.25, 0.75]" in repr(mixture_1d(weights=(1, 3)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"centers": [0.0, 1.0], "std": 1.0}, r"expected centers of shape \(K, dim\)"),
        ({"centers": [[0.0], [1.0]], "std": 0.0}, "expected every std > 0"),
        ({"centers": [[0.0], [1.0]], "std": [1.0, 1.0, 1.0]}, r"of shape \(2,\), got \(3,\)"),
        ({"centers": [[0.0], [1.0]], "std": 1.0, "weights": [1.0, -1.0]}, "non-negative"),
        ({"centers": [[0.0], [1.0]], "std": 1.0, "weights": [0.0, 0.0]}, "positive sum"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixture(**kwargs)


def test_log_prob_rejects_points_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"expected points of shape \(N, 2\), got \(5, 3\)"):
        ring().log_prob(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"expected points of shape \(N, 1\), got \(5,\)"):
        mixture_1d().log_prob(torch.zeros(5))
