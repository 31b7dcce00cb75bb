"""Image data sets for the image-GAN lessons, as float32 tensors in [-1, 1], shape (N, C, H, W).

MNIST (LeCun et al. 1998), Fashion-MNIST (Xiao et al. 2017) and CIFAR-10 (Krizhevsky 2009)
come through torchvision, and only with `download=True` does anything touch the network.
scikit-learn's 8x8 handwritten digits (1,797 images, shipped with scikit-learn) are always
available: `lesson_images` falls back to them, so that every lesson runs offline.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "data" / "cache"
NATIVE_SIZE = {"mnist": 28, "fashion_mnist": 28, "cifar10": 32, "digits": 28}
TITLE = {
    "mnist": "MNIST",
    "fashion_mnist": "Fashion-MNIST",
    "cifar10": "CIFAR-10",
    "digits": "digits",
}
DOWNLOAD_SIZE = {"mnist": "about 11 MB", "fashion_mnist": "about 30 MB", "cifar10": "about 163 MB"}
TORCHVISION_CLASS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10"}
DIGITS_SEED = 0  # fixes which 80% of scikit-learn's digits are "train"


class DownloadError(RuntimeError):
    """A data set could not be downloaded (no network, a server down, a bad checksum)."""


def load_images(name, *, split="train", root=None, size=None, download=False):
    """Load an image data set: (images (N, C, size, size) float32 in [-1, 1], labels (N,) int64).

    Args:
        name: "mnist", "fashion_mnist", "cifar10" or "digits".
        split: "train" or "test"; "digits" also takes "all" (train and test together).
        root: the folder torchvision stores data sets in (default: data/cache in the
            repository). For MNIST, a folder that simply holds a split's two IDX files
            (t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, gzipped or not) also works.
        size: the side length of the returned images; None keeps the native size (28 for
            MNIST and Fashion-MNIST, 32 for CIFAR-10, and 28 for digits, whose native 8x8 is
            enlarged to match MNIST). Resized bilinearly with antialiasing.
        download: fetch the data set with torchvision if it is not in `root`.

    Raises FileNotFoundError when the data is not in `root` and `download` is False, and
    DownloadError (a RuntimeError) when a download fails.
    """
    if name not in NATIVE_SIZE:
        raise ValueError(f"expected name in {sorted(NATIVE_SIZE)}, got {name!r}")
    splits = ("train", "test", "all") if name == "digits" else ("train", "test")
    if split not in splits:
        raise ValueError(f"expected split in {splits} for {name}, got {split!r}")
    if size is not None and not (isinstance(size, int) and size >= 1):
        raise ValueError(f"expected size to be None or a positive int, got {size!r}")
    root = Path(DEFAULT_ROOT if root is None else root)

    if name == "digits":
        images, labels = _digits(split)  # (N, 1, 8, 8) in [0, 1]
    elif name == "cifar10":
        images, labels = _cifar10(split, root, download)  # (N, 3, 32, 32) in [0, 1]
    else:
        images, labels = _idx_images(name, split, root, download)  # (N, 1, 28, 28) in [0, 1]

    size = NATIVE_SIZE[name] if size is None else size
    if images.shape[-1] != size:
        images = F.interpolate(images, size=(size, size), mode="bilinear", antialias=True)
    images = (images * 2 - 1).clamp(-1, 1)  # (N, C, size, size) in [-1, 1]
    return images.contiguous(), labels


def lesson_images(name="mnist", *, split="train", root=None, size=28, download=False,
                  fallback="digits"):  # fmt: skip
    """The images a lesson trains on: (images, labels, the name of the data set used).

    Tries `name`; if it is not in `root` (or its download fails), prints one line saying so
    and returns `fallback` ("digits" by default: always available offline) at the same size.
    With fallback=None the error is raised instead.
    """
    try:
        return (*load_images(name, split=split, root=root, size=size, download=download), name)
    except (FileNotFoundError, DownloadError) as error:
        if fallback is None or fallback == name:
            raise
        shown_root = DEFAULT_ROOT if root is None else root
        if isinstance(error, FileNotFoundError):
            reason = (f"is not in {shown_root} (set DOWNLOAD = True to fetch it, "
                      f"{DOWNLOAD_SIZE.get(name, 'once')})")  # fmt: skip
        else:
            reason = f"could not be downloaded ({error})"
        using = (
            f"scikit-learn's 8x8 digits resized to {size}x{size}"
            if fallback == "digits"
            else TITLE.get(fallback, fallback)
        )
        print(f"{TITLE[name]} {reason}: using {using} instead.")
        images, labels = load_images(fallback, split=split, root=root, size=size)
        return images, labels, fallback


def _digits(split):
    """scikit-learn's digits, (N, 1, 8, 8) in [0, 1]; a fixed stratified 80/20 train/test split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16  # (1797, 1, 8, 8)
    labels = torch.tensor(digits.target, dtype=torch.int64)  # (1797,)
    if split == "all":
        return images, labels
    train, test = train_test_split(torch.arange(len(labels)).numpy(), test_size=0.2,
                                   random_state=DIGITS_SEED, stratify=labels.numpy())  # fmt: skip
    index = torch.as_tensor(train if split == "train" else test)
    return images[index], labels[index]


def _idx_images(name, split, root, download):
    """MNIST or Fashion-MNIST from their IDX files, (N, 1, 28, 28) in [0, 1]."""
    from torchvision import datasets

    class_name = TORCHVISION_CLASS[name]
    prefix = "train" if split == "train" else "t10k"
    stems = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    # torchvision's layout first; for MNIST also a plain folder of IDX files. (Fashion-MNIST's
    # files have the same names, so only torchvision's layout can tell them apart.)
    folders = [root / class_name / "raw"] + ([root] if name == "mnist" else [])

    files = _find_idx(folders, stems)
    if files is None and download:
        _download(name, lambda: getattr(datasets, class_name)(root, train=split == "train",
                                                              download=True))  # fmt: skip
        files = _find_idx(folders, stems)
    if files is None:
        looked = " and ".join(str(folder) for folder in folders)
        raise FileNotFoundError(
            f"{TITLE[name]} ({split} split) is not in {root}: looked for {stems[0]}[.gz] and "
            f"{stems[1]}[.gz] in {looked}; pass download=True to fetch it "
            f"({DOWNLOAD_SIZE[name]})"
        )
    images_file, labels_file = files
    with tempfile.TemporaryDirectory() as tmp:
        images = datasets.mnist.read_image_file(_uncompressed(images_file, tmp))  # (N, 28, 28)
        labels = datasets.mnist.read_label_file(_uncompressed(labels_file, tmp))  # (N,)
    if len(images) != len(labels):
        raise ValueError(f"expected as many labels as images in {images_file.parent}, "
                         f"got {len(labels)} labels for {len(images)} images")  # fmt: skip
    return images[:, None].float() / 255, labels.long()  # (N, 1, 28, 28), (N,)


def _cifar10(split, root, download):
    """CIFAR-10 through torchvision, (N, 3, 32, 32) in [0, 1]."""
    from torchvision import datasets

    def make():
        return datasets.CIFAR10(root, train=split == "train", download=download)

    if download:
        dataset = _download("cifar10", make)
    else:
        try:
            dataset = make()
        except RuntimeError as error:  # torchvision: "Dataset not found or corrupted"
            raise FileNotFoundError(
                f"CIFAR-10 ({split} split) is not in {root} (torchvision looked for "
                f"{root / 'cifar-10-batches-py'}: {error}); pass download=True to fetch it "
                f"({DOWNLOAD_SIZE['cifar10']})"
            ) from error
    images = torch.as_tensor(dataset.data).permute(0, 3, 1, 2)  # (N, 32, 32, 3) -> (N, 3, 32, 32)
    labels = torch.as_tensor(dataset.targets, dtype=torch.int64)  # (N,)
    return images.float() / 255, labels


def _find_idx(folders, stems):
    """The first folder's (images, labels) IDX files, each plain or gzipped, or None."""
    for folder in folders:
        found = [next((folder / (stem + ext) for ext in ("", ".gz")
                       if (folder / (stem + ext)).is_file()), None) for stem in stems]  # fmt: skip
        if all(found):
            return found
    return None


def _uncompressed(path, tmp):
    """`path` itself, or for a .gz file its decompressed copy in the folder `tmp`."""
    from torchvision.datasets.utils import extract_archive

    if path.suffix != ".gz":
        return str(path)
    return extract_archive(str(path), tmp)  # writes tmp/<name without .gz>


def _download(name, make):
    """Run torchvision's download once; a failure becomes a one-line DownloadError."""
    try:
        return make()
    except (OSError, RuntimeError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise DownloadError(f"could not download {TITLE[name]}: {first_line}") from error
