import warnings

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.inception import InceptionScore
from torchmetrics.image.kid import KernelInceptionDistance

from gankit.data import GaussianMixture, grid, load_images, mixture_1d, ring
from gankit.features import classifier
from gankit.metrics import (
    classifier_scores,
    evaluate,
    frechet_distance,
    inception_score,
    kernel_inception_distance,
    mode_coverage,
    precision_recall,
)


@pytest.fixture(autouse=True)
def same_global_rng_afterwards():
    """Leave torch's global random state as it was: other modules' tests build models from it."""
    with torch.random.fork_rng(devices=[]):
        yield


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


# Feature-based image metrics.


class DigitFeatures(nn.Module):
    """gankit's digits classifier as a torchmetrics feature extractor (features or logits)."""

    def __init__(self, logits=False):
        super().__init__()
        self.classifier = classifier("digits")
        self.logits = logits
        self.num_features = 10 if logits else self.classifier.num_features

    def forward(self, images):  # (N, 1, 28, 28) in [-1, 1]
        return self.classifier(images) if self.logits else self.classifier.features(images)


@pytest.fixture(scope="module")
def digits():
    """Real digits (train, test), a noisy copy of test, and the features of all three."""
    train, _ = load_images("digits", split="train")  # (1437, 1, 28, 28)
    test, _ = load_images("digits", split="test")  # (360, 1, 28, 28)
    noise = torch.randn(test.shape, generator=torch.Generator().manual_seed(0))
    noisy = (test + 0.8 * noise).clamp(-1, 1)  # (360, 1, 28, 28)
    model = classifier("digits")
    with torch.no_grad():
        feats = {
            name: model.features(x)
            for name, x in [("train", train), ("test", test), ("noisy", noisy)]
        }
    return {"train": train, "test": test, "noisy": noisy, "feats": feats}


def gaussian_features(n, dim=8, shift=0.0, scale=1.0, seed=0):
    return shift + scale * torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


def test_frechet_distance_matches_the_closed_form_with_scipys_sqrtm():
    real, fake = (
        gaussian_features(500, seed=0),
        gaussian_features(400, shift=0.5, scale=2.0, seed=1),
    )
    real_np, fake_np = real.double().numpy(), fake.double().numpy()
    cov_r, cov_f = np.cov(real_np, rowvar=False), np.cov(fake_np, rowvar=False)
    expected = np.sum((real_np.mean(0) - fake_np.mean(0)) ** 2) + np.trace(
        cov_r + cov_f - 2 * scipy.linalg.sqrtm(cov_r @ cov_f).real
    )
    assert frechet_distance(real, fake) == pytest.approx(expected, rel=1e-8)
    # Population values: |mu|^2 = 8 * 0.25 = 2, trace term = 8 * (1 - 2)^2 = 8.
    big_r, big_f = (
        gaussian_features(20_000, seed=2),
        gaussian_features(20_000, shift=0.5, scale=2.0, seed=3),
    )
    assert frechet_distance(big_r, big_f) == pytest.approx(10.0, rel=0.02)
    assert frechet_distance(real, real) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_separates_real_from_noisy_digits(digits):
    feats = digits["feats"]
    real_vs_real = frechet_distance(feats["train"], feats["test"])
    real_vs_noisy = frechet_distance(feats["train"], feats["noisy"])
    assert real_vs_real < 0.3
    assert real_vs_noisy > 5 * real_vs_real


def test_frechet_distance_equals_torchmetrics_fid_on_the_same_network(digits):
    for fake in ("test", "noisy"):
        fid = FrechetInceptionDistance(feature=DigitFeatures())
        fid.update(digits["train"], real=True)
        fid.update(digits[fake], real=False)
        expected = float(fid.compute())
        assert frechet_distance(digits["feats"]["train"], digits["feats"][fake]) == pytest.approx(
            expected, rel=1e-3
        )


def test_kid_equals_torchmetrics_kid_on_the_same_subsets(digits):
    # torchmetrics draws its subsets from torch's global generator in the same order as
    # kernel_inception_distance does from its own: seeding both alike gives the same subsets.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "will save all extracted features in buffer"
        kid = KernelInceptionDistance(feature=DigitFeatures(), subsets=5, subset_size=100)
    kid.update(digits["train"], real=True)
    kid.update(digits["noisy"], real=False)
    torch.manual_seed(7)
    expected_mean, expected_std = (float(v) for v in kid.compute())
    mean, std = kernel_inception_distance(digits["feats"]["train"], digits["feats"]["noisy"],
                                          subsets=5, subset_size=100, seed=7)  # fmt: skip
    assert mean == pytest.approx(expected_mean, rel=1e-4)
    assert std == pytest.approx(expected_std, rel=1e-3)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two():
    same_mean, same_std = kernel_inception_distance(
        gaussian_features(1000, seed=0), gaussian_features(1000, seed=1)
    )
    assert abs(same_mean) < 3 * same_std / np.sqrt(10) + 1e-3
    shifted, _ = kernel_inception_distance(
        gaussian_features(1000, seed=0), gaussian_features(1000, shift=1.0, seed=1)
    )
    assert shifted > 0.5  # well above the noise
    # Unbiased: the mean over many small subsets still centres on zero for one distribution.
    small, _ = kernel_inception_distance(gaussian_features(1000, seed=0), gaussian_features(1000, seed=1),
                                         subsets=200, subset_size=20)  # fmt: skip
    assert abs(small) < 0.05


@pytest.mark.filterwarnings("ignore::UserWarning")  # torchmetrics: feature buffer, std of one split
def test_inception_score_known_values_and_torchmetrics(digits):
    uniform = torch.full((100, 10), 0.1)
    assert inception_score(uniform) == pytest.approx((1.0, 0.0))
    one_hot = torch.eye(10).repeat(10, 1)  # (100, 10): each class 10 times, confident
    assert inception_score(one_hot, splits=10) == pytest.approx((10.0, 0.0))
    collapsed = torch.eye(10)[torch.zeros(100, dtype=torch.long)]  # every image a confident 0
    assert inception_score(collapsed, splits=1)[0] == pytest.approx(1.0)

    model = classifier("digits")
    with torch.no_grad():
        probs = model(digits["test"]).softmax(1)  # (360, 10)
    metric = InceptionScore(feature=DigitFeatures(logits=True), splits=1)
    metric.update(digits["test"])
    expected, _ = metric.compute()
    assert inception_score(probs, splits=1)[0] == pytest.approx(float(expected), rel=1e-4)
    assert inception_score(probs, splits=1)[0] > 8  # confident and balanced real digits


def test_precision_recall_on_constructed_point_clouds():
    generator = torch.Generator().manual_seed(0)
    angles = torch.arange(10) * 2 * torch.pi / 10
    centers = 100 * torch.stack([angles.cos(), angles.sin()], 1)  # (10, 2): ten far-apart modes
    real = centers.repeat_interleave(200, 0) + torch.randn(2000, 2, generator=generator)
    assert precision_recall(real, real) == {"precision": 1.0, "recall": 1.0}

    far = real + 1000.0
    assert precision_recall(real, far) == {"precision": 0.0, "recall": 0.0}

    # The fake set covers the first five modes only, each as densely as the real data does.
    half = centers[:5].repeat_interleave(400, 0) + torch.randn(2000, 2, generator=generator)
    result = precision_recall(real, half)
    assert result["precision"] > 0.95  # the fakes are realistic...
    assert result["recall"] == pytest.approx(0.5, abs=0.03)  # ...but cover half the data


def test_classifier_scores_counts_predictions():
    probs = torch.tensor([[0.9, 0.1, 0.0], [0.8, 0.2, 0.0], [0.3, 0.7, 0.0], [0.2, 0.8, 0.0]])
    scores = classifier_scores(probs)
    assert scores["confidence"] == pytest.approx((0.9 + 0.8 + 0.7 + 0.8) / 4)
    assert scores["class_fractions"] == [0.5, 0.5, 0.0]
    assert scores["min_class_fraction"] == 0.0


def test_evaluate_scores_real_digits_well_and_noise_badly(digits):
    model = classifier("digits")
    real = evaluate(digits["test"], digits["train"], model, batch_size=100)
    assert set(real) == {
        "fd",
        "kid",
        "precision",
        "recall",
        "inception_score",
        "confidence",
        "min_class_fraction",
    }
    assert real["fd"] == pytest.approx(
        frechet_distance(digits["feats"]["train"], digits["feats"]["test"])
    )
    assert real["precision"] > 0.8 and real["recall"] > 0.8
    assert real["confidence"] > 0.9 and real["min_class_fraction"] > 0.08

    noise = torch.rand(360, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    bad = evaluate(noise, digits["train"], model)
    assert bad["fd"] > 10 * real["fd"] and bad["kid"] > 10 * abs(real["kid"])
    assert bad["precision"] < 0.1 and bad["recall"] < 0.1


def test_too_few_samples_raise_clear_errors():
    x = gaussian_features(10, dim=4)
    with pytest.raises(ValueError, match="frechet_distance needs at least 2 fake samples"):
        frechet_distance(x, x[:1])
    with pytest.warns(
        UserWarning, match="3 real samples for 4 features make a singular covariance"
    ):
        frechet_distance(x[:3], x)
    with pytest.raises(ValueError, match="subset_size=20 with 10 real and 10 fake"):
        kernel_inception_distance(x, x, subset_size=20)
    with pytest.raises(
        ValueError, match="more than k samples in each set, got k=3 with 10 real and 3 fake"
    ):
        precision_recall(x, x[:3])
    with pytest.raises(ValueError, match="splits=10 for N=5"):
        inception_score(torch.full((5, 2), 0.5))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(
        ValueError, match=r"expected real and fake features of the same dimension F"
    ):
        frechet_distance(torch.zeros(5, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match=r"expected real features of shape \(N, F\), got \(5,\)"):
        precision_recall(torch.zeros(5), torch.zeros(5, 1))
    with pytest.raises(ValueError, match="softmax logits first"):
        inception_score(torch.randn(20, 10))
    with pytest.raises(ValueError, match="finite"):
        frechet_distance(torch.full((5, 2), float("nan")), torch.zeros(5, 2))
    with pytest.raises(ValueError, match=r"expected images of shape \(N, C, H, W\)"):
        evaluate(torch.zeros(10, 28, 28), torch.zeros(10, 1, 28, 28), classifier("digits"))


# Conditional generators.


class Brightness(nn.Module):
    """A stub classifier: class 1 for images brighter than 0 on average, else class 0."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def features(self, x):
        return self.scale * x.mean(dim=(1, 2, 3))[:, None]  # (N, 1)

    def head(self, f):
        return torch.cat([-f, f], dim=1)  # (N, 2)


def test_conditional_accuracy_counts_images_read_as_their_label():
    from gankit.metrics import conditional_accuracy

    images = torch.cat([torch.full((3, 1, 4, 4), -0.5), torch.full((5, 1, 4, 4), 0.5)])
    read_as = torch.tensor([0, 0, 0, 1, 1, 1, 1, 1])
    assert conditional_accuracy(Brightness(), images, read_as) == 1.0
    asked_for = torch.tensor([0, 1, 1, 1, 1, 0, 0, 0])  # 1 dark and 2 bright are right
    assert conditional_accuracy(Brightness(), images, asked_for, batch_size=3) == 3 / 8
    assert conditional_accuracy(Brightness(), images, asked_for.tolist()) == 3 / 8


def test_conditional_accuracy_agrees_with_the_classifiers_own_argmax():
    from gankit.features import DigitClassifier
    from gankit.metrics import conditional_accuracy

    torch.manual_seed(0)
    model = DigitClassifier(width=4, num_features=8)
    model.train()
    images = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        predicted = model.eval()(images).argmax(1)
    model.train()
    assert conditional_accuracy(model, images, predicted, batch_size=7) == 1.0
    assert model.training  # restored
    wrong = predicted.clone()
    wrong[:5] = (wrong[:5] + 1) % 10
    assert conditional_accuracy(model, images, wrong) == pytest.approx(15 / 20)


def test_conditional_accuracy_of_real_digits_is_the_classifiers_accuracy():
    from gankit.features import accuracy
    from gankit.metrics import conditional_accuracy

    test, labels = load_images("digits", split="test")
    model = classifier("digits")
    assert conditional_accuracy(model, test, labels) == pytest.approx(accuracy(model, test, labels))
    assert conditional_accuracy(model, test, labels) > 0.9


def test_conditional_accuracy_needs_one_label_per_image():
    from gankit.metrics import conditional_accuracy

    images = torch.zeros(4, 1, 4, 4)
    with pytest.raises(ValueError, match=r"expected one label per image, \(4,\), got \(3,\)"):
        conditional_accuracy(Brightness(), images, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"got \(4, 1\)"):
        conditional_accuracy(Brightness(), images, torch.zeros(4, 1, dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected images of shape \(N, C, H, W\)"):
        conditional_accuracy(Brightness(), torch.zeros(4, 4, 4), torch.zeros(4, dtype=torch.long))
