import pytest
import torch

from gankit.data import GaussianMixture, grid, mixture_1d, ring
from gankit.metrics import mode_coverage


@pytest.mark.parametrize("mixture", [ring(), grid(), mixture_1d()], ids=["ring", "grid", "1d"])
def test_samples_from_the_mixture_itself_cover_every_mode(mixture):
    samples = mixture.sample(5000, generator=torch.Generator().manual_seed(0))
    result = mode_coverage(samples, mixture)
    assert result["modes"] == mixture.n_modes
    # In 2-D, P(|x - c| <= 3 std) = 1 - exp(-9/2) = 0.989; in 1-D it is 0.997.
    assert result["hq"] > 0.98
    assert result["kl"] < 0.01
    assert sum(result["counts"]) == round(result["hq"] * 5000)
    assert len(result["counts"]) == mixture.n_modes


def test_samples_from_one_mode_capture_one_mode_with_a_large_kl():
    mixture = ring()
    one_mode = GaussianMixture(mixture.centers[:1], std=0.02)
    result = mode_coverage(
        one_mode.sample(1000, generator=torch.Generator().manual_seed(0)), mixture
    )
    assert result["modes"] == 1
    assert result["counts"][0] == sum(result["counts"]) > 980
    assert result["kl"] == pytest.approx(torch.log(torch.tensor(8.0)).item(), abs=1e-3)  # log K


def test_uniform_noise_is_low_quality():
    mixture = ring()
    noise = 6 * torch.rand(2000, 2, generator=torch.Generator().manual_seed(0)) - 3
    result = mode_coverage(noise, mixture)
    assert result["hq"] < 0.01
    assert result["modes"] == 0


def test_a_few_stray_samples_do_not_capture_a_mode():
    # 1000 samples on mode 0 plus 3 exactly on mode 1; the default needs round(0.2 * 1003 / 2) = 100.
    mixture = mixture_1d()
    samples = torch.cat([torch.full((1000, 1), -2.0), torch.full((3, 1), 2.0)])
    assert mode_coverage(samples, mixture)["modes"] == 1
    assert mode_coverage(samples, mixture, min_count=3)["modes"] == 2


def test_n_std_sets_the_high_quality_radius_in_1d():
    mixture = mixture_1d(means=(0.0, 10.0), stds=(1.0, 1.0))
    samples = torch.tensor([[0.5], [1.5], [2.9], [3.1], [-3.1]])
    assert mode_coverage(samples, mixture)["counts"] == [3, 0]
    assert mode_coverage(samples, mixture, n_std=1.0)["counts"] == [1, 0]


def test_no_high_quality_samples_give_an_infinite_kl():
    assert mode_coverage(torch.full((10, 2), 50.0), ring())["kl"] == float("inf")


def test_wrong_shapes_raise_clear_errors():
    with pytest.raises(ValueError, match=r"expected samples of shape \(N, 2\) .* got \(10, 3\)"):
        mode_coverage(torch.zeros(10, 3), ring())
    with pytest.raises(ValueError, match=r"got \(10,\)"):
        mode_coverage(torch.zeros(10), mixture_1d())
    with pytest.raises(ValueError, match="at least one sample"):
        mode_coverage(torch.zeros(0, 2), ring())
