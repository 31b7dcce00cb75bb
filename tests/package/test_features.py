import json
import time
from pathlib import Path

import pytest
import torch

import gankit.data
from gankit import features
from gankit.data import load_images
from gankit.features import (
    DigitClassifier,
    accuracy,
    augment,
    classifier,
    load_classifier,
    save_classifier,
    train_classifier,
)

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "features"


@pytest.fixture(autouse=True)
def same_global_rng_afterwards():
    """Leave torch's global random state as it was: other modules' tests build models from it."""
    with torch.random.fork_rng(devices=[]):
        yield


@pytest.fixture(scope="module")
def digits_test():
    return load_images("digits", split="test")  # (360, 1, 28, 28), (360,)


@pytest.fixture
def nothing_shipped(tmp_path, monkeypatch):
    """classifier() finds no shipped file: it must use the cache or train."""
    monkeypatch.setattr(features, "SHIPPED_DIR", tmp_path / "shipped")
    return tmp_path / "cache"


def test_the_shipped_digits_classifier_loads_instantly_and_is_accurate(digits_test):
    started = time.perf_counter()
    model = classifier("digits", cache_dir="/nonexistent")
    assert time.perf_counter() - started < 2
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    assert accuracy(model, *digits_test) >= 0.97


def test_the_shipped_file_is_small_and_its_record_matches_it(digits_test):
    assert (SHIPPED / "digits.pt").stat().st_size < 1_000_000
    record = json.loads((SHIPPED / "digits.json").read_text())
    assert record["command"].startswith("python data/make_features.py")
    assert record["held_out_accuracy"] >= 0.97 and record["seconds"] > 0
    saved = torch.load(SHIPPED / "digits.pt", weights_only=True)
    assert saved["format"] == features.FEATURES_FORMAT and saved["domain"] == "digits"
    assert saved["settings"]["seed"] == record["seed"]
    model = load_classifier(SHIPPED / "digits.pt")
    assert accuracy(model, *digits_test) == pytest.approx(record["held_out_accuracy"], abs=1e-4)


def test_shapes_and_feature_scale(digits_test):
    model = classifier("digits")
    images = digits_test[0][:50]  # (50, 1, 28, 28)
    assert model(images).shape == (50, 10)
    feats = model.features(images)
    assert feats.shape == (50, model.num_features) and model.num_features == 64
    assert torch.allclose(model.head(feats), model(images))
    # Unit root-mean-square features, none constant (a singular covariance would be).
    assert feats.square().mean().sqrt().item() == pytest.approx(1.0, abs=0.3)
    assert (feats.std(0) > 1e-3).all()


def test_other_square_sizes_are_resized_to_28(digits_test):
    model = classifier("digits")
    images, labels = load_images("digits", split="test", size=32)
    assert model(images).shape == (360, 10)
    assert accuracy(model, images, labels) >= 0.95


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (
            torch.zeros(4, 28, 28),
            r"expected images of shape \(N, 1, 28, 28\) .*got shape \(4, 28, 28\)",
        ),
        (torch.zeros(4, 3, 28, 28), r"got shape \(4, 3, 28, 28\)"),
        (torch.zeros(4, 1, 28, 20), r"got shape \(4, 1, 28, 20\)"),
        (torch.full((4, 1, 28, 28), 255.0), r"in \[-1, 1\], got values in \[255, 255\]"),
    ],
)
def test_bad_images_raise_clear_errors(images, message):
    with pytest.raises(ValueError, match=message):
        classifier("digits")(images)


def test_augment_shifts_by_whole_pixels_and_keeps_the_background():
    image = torch.full((1, 1, 28, 28), -1.0)
    image[0, 0, 14, 14] = 1.0  # one bright pixel in the middle
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        moved = augment(image, generator=generator, max_degrees=0, max_scale=0)
        assert moved.shape == image.shape
        row, col = divmod(int(moved.argmax()), 28)
        assert abs(row - 14) <= 2 and abs(col - 14) <= 2
        assert moved.max() == pytest.approx(1.0, abs=1e-5)  # a whole-pixel shift: no blur
        assert (moved >= -1 - 1e-6).all() and moved.min() == pytest.approx(-1.0)
    still = augment(image, max_shift=0, max_degrees=0, max_scale=0)
    assert torch.allclose(still, image, atol=1e-5)


def test_training_is_reproducible_from_the_seed():
    images, labels = load_images("digits")
    a = train_classifier(images[:128], labels[:128], epochs=1, seed=3, width=4, progress=False)
    b = train_classifier(images[:128], labels[:128], epochs=1, seed=3, width=4, progress=False)
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(x, y), name


def test_save_and_load_round_trip(tmp_path, digits_test):
    model = DigitClassifier(width=4, num_features=8)
    model.feature_scale.fill_(0.5)
    save_classifier(model, tmp_path / "f.pt", domain="digits", epochs=1)
    loaded = load_classifier(tmp_path / "f.pt", domain="digits")
    assert loaded.num_features == 8 and loaded.settings == {"epochs": 1}
    assert torch.equal(loaded.features(digits_test[0]), model.eval().features(digits_test[0]))


def test_corrupt_or_mismatched_files_raise_value_errors(tmp_path):
    path = tmp_path / "digits.pt"
    path.write_bytes(b"not a torch file at all")
    with pytest.raises(ValueError, match="could not read feature network"):
        load_classifier(path)

    torch.save({"state_dict": {}}, path)
    with pytest.raises(ValueError, match="expected a feature network of format"):
        load_classifier(path)

    save_classifier(DigitClassifier(width=4), path, domain="mnist")
    with pytest.raises(ValueError, match="for 'digits' .* got one for 'mnist'"):
        load_classifier(path, domain="digits")

    saved = torch.load(path, weights_only=True)
    saved["model"]["width"] = 8  # the weights are for width 4
    torch.save(saved, path)
    with pytest.raises(ValueError, match="does not match DigitClassifier"):
        load_classifier(path)

    path.write_bytes(path.read_bytes()[:100])  # a truncated file
    with pytest.raises(ValueError, match="could not read"):
        load_classifier(path)


def test_a_corrupt_cached_file_is_a_value_error(nothing_shipped):
    nothing_shipped.mkdir(parents=True)
    (nothing_shipped / "digits.pt").write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError, match="delete it to train a new one"):
        classifier("digits", cache_dir=nothing_shipped)


def test_classifier_trains_once_then_uses_the_cache(nothing_shipped, monkeypatch, capsys):
    monkeypatch.setitem(features.DOMAINS, "digits", {"epochs": 1})
    model = classifier("digits", cache_dir=nothing_shipped)
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("Training the digits feature classifier (1 epochs on 1437 images)")
    assert (nothing_shipped / "digits.pt").is_file()
    assert not model.training and not any(p.requires_grad for p in model.parameters())

    def no_training(*args, **kwargs):
        raise AssertionError("trained again instead of using the cache")

    monkeypatch.setattr(features, "train_classifier", no_training)
    monkeypatch.setenv("GANKIT_CACHE", str(nothing_shipped))
    cached = classifier("digits")
    assert capsys.readouterr().out == ""
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), cached.parameters()))


def test_the_mnist_classifier_trains_on_mnist_and_is_cached_apart(nothing_shipped, monkeypatch):
    calls = []

    def mnist_stand_in(name, *, split, root):  # digits in MNIST's place: no MNIST needed
        calls.append((name, split, root))
        return load_images("digits", split=split)

    monkeypatch.setattr(gankit.data, "load_images", mnist_stand_in)
    monkeypatch.setitem(features.DOMAINS, "mnist", {"epochs": 1})
    classifier("mnist", cache_dir=nothing_shipped, root="mnist-root")
    assert calls == [("mnist", "train", "mnist-root"), ("mnist", "test", "mnist-root")]
    saved = load_classifier(nothing_shipped / "mnist.pt", domain="mnist")
    assert saved.settings["epochs"] == 1 and 0 <= saved.settings["accuracy"] <= 1
    assert not (nothing_shipped / "digits.pt").exists()


def test_the_mnist_classifier_needs_mnist(nothing_shipped, tmp_path):
    with pytest.raises(FileNotFoundError, match="MNIST"):
        classifier("mnist", cache_dir=nothing_shipped, root=tmp_path / "empty")
    with pytest.raises(ValueError, match="expected domain in"):
        classifier("cifar10")


@pytest.mark.slow
def test_training_from_scratch_reaches_a_good_accuracy(digits_test):
    images, labels = load_images("digits")
    # Half the shipped network's 20 epochs: 0.98 (seeds 0 and 1), about 12 s on one thread.
    model = train_classifier(images, labels, epochs=10, progress=False,
                             test_images=digits_test[0], test_labels=digits_test[1])  # fmt: skip
    assert model.accuracy >= 0.96
    assert model.accuracy == accuracy(model, *digits_test)
