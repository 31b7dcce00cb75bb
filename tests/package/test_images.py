import gzip
import os
import socket
from collections import Counter
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
import torchvision.datasets

from gankit.data import DownloadError, lesson_images, load_images

ROOT = Path(__file__).resolve().parents[2]
# A folder holding MNIST's test split as IDX files (t10k-images-idx3-ubyte[.gz] and
# t10k-labels-idx1-ubyte[.gz]); the tests that read real MNIST skip without it.
MNIST_DIR = Path(os.environ.get("GANKIT_MNIST_DIR", ROOT.parent / "shared" / "data" / "mnist"))
needs_mnist = pytest.mark.skipif(
    not any(MNIST_DIR.glob("t10k-images-idx3-ubyte*")), reason=f"no MNIST IDX files in {MNIST_DIR}"
)


@pytest.fixture(autouse=True)
def same_global_rng_afterwards():
    """Leave torch's global random state as it was: other modules' tests build models from it."""
    with torch.random.fork_rng(devices=[]):
        yield


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def write_idx(folder, prefix, images, labels, gz=False):
    """Write uint8 images (N, 28, 28) and labels (N,) as MNIST IDX files (big-endian header)."""
    folder.mkdir(parents=True, exist_ok=True)
    headers = {
        "images-idx3-ubyte": (np.array([0x803, *images.shape], ">i4"), images),
        "labels-idx1-ubyte": (np.array([0x801, len(labels)], ">i4"), labels),
    }
    for stem, (header, values) in headers.items():
        data = header.tobytes() + values.astype(np.uint8).tobytes()
        path = folder / f"{prefix}-{stem}{'.gz' if gz else ''}"
        path.write_bytes(gzip.compress(data) if gz else data)


def tiny_mnist(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28)), rng.integers(0, 10, n)


def test_digits_shapes_range_and_labels():
    images, labels = load_images("digits")
    assert images.shape == (1437, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (1437,) and labels.dtype == torch.int64
    assert images.min() == -1 and images.max() == 1
    assert sorted(labels.unique().tolist()) == list(range(10))
    test_images, test_labels = load_images("digits", split="test")
    assert test_images.shape == (360, 1, 28, 28)
    # Stratified: each class keeps its share of the 20% (about 36 images each).
    counts = torch.bincount(test_labels, minlength=10)
    assert counts.min() >= 34 and counts.max() <= 38


def test_digits_train_and_test_split_all_without_overlap():
    def rows(split):
        images, labels = load_images("digits", split=split, size=8)  # native: no resizing
        return Counter(
            (int(label), image.numpy().tobytes()) for image, label in zip(images, labels)
        )

    train, test, everything = rows("train"), rows("test"), rows("all")
    assert sum(everything.values()) == 1797
    assert train + test == everything  # a partition of the 1,797 images, duplicates included
    assert torch.equal(load_images("digits")[0], load_images("digits")[0])  # fixed split


def test_digits_values_are_scikit_learns_scaled_to_minus_one_one():
    from sklearn.datasets import load_digits

    images, labels = load_images("digits", split="all", size=8)
    digits = load_digits()
    assert torch.equal(labels, torch.as_tensor(digits.target))
    expected = torch.as_tensor(digits.images, dtype=torch.float32)[:, None] / 8 - 1
    assert torch.allclose(images, expected)


def test_size_resizes_and_keeps_the_range():
    images, _ = load_images("digits", split="test", size=32)
    assert images.shape == (360, 1, 32, 32)
    assert images.min() >= -1 and images.max() <= 1
    small, _ = load_images("digits", split="test", size=28)
    # Same picture at another size: the mean brightness barely changes.
    assert images.mean().item() == pytest.approx(small.mean().item(), abs=0.02)


@needs_mnist
def test_mnist_test_split_reads_from_a_folder_of_idx_files(no_network):
    images, labels = load_images("mnist", split="test", root=MNIST_DIR)
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert images.min() == -1 and images.max() == 1
    assert torch.bincount(labels).tolist() == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_idx_files_in_torchvisions_layout_and_in_a_plain_folder(tmp_path, gz, no_network):
    pixels, digits = tiny_mnist()
    write_idx(tmp_path / "MNIST" / "raw", "train", pixels, digits, gz=gz)
    write_idx(tmp_path / "plain", "t10k", pixels[:5], digits[:5], gz=gz)
    images, labels = load_images("mnist", root=tmp_path)
    assert images.shape == (12, 1, 28, 28)
    assert torch.equal(labels, torch.as_tensor(digits))
    assert torch.allclose(
        images[:, 0], torch.as_tensor(pixels / 255 * 2 - 1, dtype=torch.float32), atol=1e-6
    )
    assert load_images("mnist", split="test", root=tmp_path / "plain")[0].shape == (5, 1, 28, 28)


def test_fashion_mnist_reads_only_from_torchvisions_layout(tmp_path, no_network):
    pixels, digits = tiny_mnist()
    write_idx(tmp_path, "t10k", pixels, digits)  # same file names as MNIST: ambiguous
    with pytest.raises(FileNotFoundError, match="FashionMNIST/raw"):
        load_images("fashion_mnist", split="test", root=tmp_path)
    write_idx(tmp_path / "FashionMNIST" / "raw", "t10k", pixels, digits)
    assert load_images("fashion_mnist", split="test", root=tmp_path)[1].tolist() == digits.tolist()


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_missing_data_without_download_says_where_it_looked(tmp_path, name, no_network):
    with pytest.raises(FileNotFoundError, match=f"is not in {tmp_path}.*download=True"):
        load_images(name, root=tmp_path)


def test_a_failed_download_is_one_clear_runtime_error(tmp_path, monkeypatch):
    calls = []

    def offline(root, train, download):
        calls.append(download)
        raise URLError("no route to host")

    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    with pytest.raises(DownloadError, match=r"^could not download MNIST: .*no route to host") as e:
        load_images("mnist", root=tmp_path, download=True)
    assert isinstance(e.value, RuntimeError) and "\n" not in str(e.value)
    assert calls == [True]  # tried once


def test_lesson_images_falls_back_to_digits_with_one_line(tmp_path, capsys, no_network):
    images, labels, used = lesson_images("mnist", root=tmp_path)
    assert used == "digits"
    assert images.shape == (1437, 1, 28, 28) and labels.shape == (1437,)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"MNIST is not in {tmp_path} (set DOWNLOAD = True to fetch it, about 11 MB): "
        "using scikit-learn's 8x8 digits resized to 28x28 instead."
    ]


def test_lesson_images_uses_mnist_when_it_is_there(tmp_path, capsys, no_network):
    pixels, digits = tiny_mnist()
    write_idx(tmp_path, "train", pixels, digits)
    images, labels, used = lesson_images("mnist", root=tmp_path, size=32)
    assert used == "mnist" and images.shape == (12, 1, 32, 32)
    assert capsys.readouterr().out == ""


def test_lesson_images_falls_back_after_a_failed_download(tmp_path, capsys, monkeypatch):
    def offline(root, train, download):
        raise URLError("no network")

    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    _, _, used = lesson_images("mnist", root=tmp_path, download=True)
    assert used == "digits"
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("MNIST could not be downloaded (") and "digits" in line


def test_lesson_images_without_fallback_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        lesson_images("mnist", root=tmp_path, fallback=None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "svhn"}, "expected name in"),
        ({"name": "mnist", "split": "all"}, r"expected split in \('train', 'test'\) for mnist"),
        ({"name": "digits", "split": "valid"}, "expected split in"),
        ({"name": "digits", "size": 0}, "expected size to be None or a positive int, got 0"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_images(**kwargs)
