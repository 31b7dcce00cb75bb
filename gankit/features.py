"""gankit's own feature network for digit images: a small CNN classifier, nothing downloaded.

FID, KID, Inception Score and precision/recall (see `gankit.metrics`) compare images through
the features of a classifier. The papers use Inception-v3 trained on ImageNet (Szegedy et al.
2016); for 28x28 digits a small classifier trained on digits is the usual stand-in (e.g. the
MNIST classifier of the LeNet family in Lucic et al. 2018, "Are GANs Created Equal?"), and it
takes a minute on a CPU. Scores from different feature networks are not comparable: compare
gankit's numbers with gankit's numbers, not with published FIDs.

`classifier("digits")` loads the network shipped in data/features/digits.pt (made by
data/make_features.py), else a cached one, else trains and caches one.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

FEATURES_FORMAT = "gankit-features-v1"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "features"
DOMAINS = {"digits": {"epochs": 20}, "mnist": {"epochs": 3}}  # epochs from scratch


class DigitClassifier(nn.Module):
    """A small CNN for (N, 1, 28, 28) images in [-1, 1]: logits over 10 classes.

    features(x): three conv blocks (28 -> 14 -> 7 -> 3) and a fully connected layer give the
    penultimate activations (N, num_features), the representation the metrics compare.
    forward(x) = head(features(x)), logits (N, 10). Other square sizes are resized to 28.

    The fully connected layer uses ELU rather than ReLU: with ReLU about half of the 64 units
    never fired on digits, leaving a singular feature covariance. After training, the features
    are scaled to unit root-mean-square on the training images (`feature_scale`, with the
    head's weights scaled inversely, so the logits do not change): KID's kernel
    (x . y / F + 1)^3 assumes features of order 1.
    """

    def __init__(self, width=16, num_features=64, num_classes=10):
        super().__init__()
        self.width, self.num_features, self.num_classes = width, num_features, num_classes
        self.body = nn.Sequential(
            nn.Conv2d(1, width, kernel_size=3, padding=1),  # (N, w, 28, 28)
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, w, 14, 14)
            nn.Conv2d(width, 2 * width, kernel_size=3, padding=1),  # (N, 2w, 14, 14)
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 2w, 7, 7)
            nn.Conv2d(2 * width, 4 * width, kernel_size=3, padding=1),  # (N, 4w, 7, 7)
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 4w, 3, 3)
            nn.Flatten(),  # (N, 36w)
            nn.Linear(4 * width * 3 * 3, num_features),  # (N, F)
            nn.ELU(),
        )
        self.register_buffer("feature_scale", torch.ones(()))
        self.head = nn.Linear(num_features, num_classes)  # (N, F) -> (N, 10)

    def features(self, x) -> torch.Tensor:
        """Penultimate activations (N, num_features) of images x (N, 1, H, W) in [-1, 1]."""
        return self.body(self._checked(x)) * self.feature_scale  # (N, F)

    def forward(self, x) -> torch.Tensor:
        """Class logits (N, num_classes)."""
        return self.head(self.features(x))

    def _checked(self, x):
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] != x.shape[3] or x.shape[0] == 0:
            raise ValueError(f"expected images of shape (N, 1, 28, 28) in [-1, 1], "
                             f"got shape {tuple(x.shape)}")  # fmt: skip
        low, high = x.detach().aminmax()
        if low < -1.01 or high > 1.01:  # a little slack for bfloat16 rounding
            raise ValueError(f"expected images of shape (N, 1, 28, 28) in [-1, 1], got values "
                             f"in [{low.item():.3g}, {high.item():.3g}]")  # fmt: skip
        if x.shape[-1] != 28:
            x = F.interpolate(x, size=(28, 28), mode="bilinear", antialias=True)  # (N, 1, 28, 28)
        return x

    def extra_repr(self) -> str:
        return f"width={self.width}, num_features={self.num_features}"


def augment(images, generator=None, max_shift=2, max_degrees=10, max_scale=0.1):
    """Random shifts (up to `max_shift` pixels), small rotations and scalings, per image.

    Keeps the classifier from relying on exact pixel positions, so it also recognises the
    imperfect, off-centre digits a generator makes. Background stays at -1.
    """
    n, _, _, size = images.shape
    rand = torch.rand(n, 3, generator=generator).to(images.device) * 2 - 1  # (N, 3) in [-1, 1)
    angle = rand[:, 0] * math.radians(max_degrees)  # (N,)
    scale = 1 + rand[:, 1] * max_scale  # (N,)
    shift = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator)  # (N, 2)
    shift = shift.to(images.device) * 2 / size  # pixels -> [-1, 1] coordinates
    cos, sin = angle.cos() / scale, angle.sin() / scale  # (N,)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)  # (N, 2, 3)  # fmt: skip
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)  # (N, H, W, 2)
    moved = F.grid_sample(images + 1, grid, align_corners=False)  # zero padding = background
    return moved - 1  # (N, 1, H, W)


def train_classifier(images, labels, *, epochs, seed=0, batch_size=64, lr=2e-3,
                     test_images=None, test_labels=None, progress=True,
                     **model_kwargs) -> DigitClassifier:  # fmt: skip
    """Train a `DigitClassifier` on images (N, 1, H, W) in [-1, 1] and labels (N,).

    Adam with a cosine-annealed learning rate, cross-entropy, `augment` on every batch. With
    test data, stores the held-out accuracy as `model.accuracy` (printed with `progress`).
    Returns the model in eval mode, on the images' device, with `model.seconds` its training
    time. Reproducible from `seed` (on one device).
    """
    if images.ndim != 4 or images.shape[1] != 1 or labels.shape != images.shape[:1]:
        raise ValueError(f"expected images (N, 1, H, W) and labels (N,), got "
                         f"{tuple(images.shape)} and {tuple(labels.shape)}")  # fmt: skip
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DigitClassifier(**model_kwargs).to(images.device)
    n_batches = math.ceil(len(images) / batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * n_batches)
    start = time.perf_counter()
    model.train()
    for _ in tqdm(range(epochs), desc="classifier", disable=not progress):
        order = torch.randperm(len(images), generator=generator).to(images.device)  # (N,)
        for batch in order.split(batch_size):
            x = augment(images[batch], generator=generator)  # (B, 1, H, W)
            loss = F.cross_entropy(model(x), labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    with torch.no_grad():  # unit root-mean-square features; head(features) stays the same
        rms = torch.cat([model.features(x) for x in images.split(500)]).square().mean().sqrt()
        model.feature_scale.fill_(1 / rms)
        model.head.weight.mul_(rms)
    model.seconds = time.perf_counter() - start
    if test_images is not None:
        model.accuracy = accuracy(model, test_images, test_labels)
    if test_images is not None and progress:
        print(f"classifier: held-out accuracy {model.accuracy:.4f} on {len(test_labels)} "
              f"images after {epochs} epochs ({model.seconds:.0f} s)")  # fmt: skip
    return model


@torch.no_grad()
def accuracy(model, images, labels, batch_size=500) -> float:
    """The fraction of images (N, 1, H, W) whose predicted class equals labels (N,)."""
    predictions = torch.cat([model(x).argmax(1) for x in images.split(batch_size)])  # (N,)
    return float((predictions == labels.to(predictions.device)).double().mean())


def save_classifier(model, path, *, domain, **settings):
    """Write a classifier as a plain dictionary (loadable with torch.load(weights_only=True))."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({
        "format": FEATURES_FORMAT,
        "domain": domain,
        "model": {"width": model.width, "num_features": model.num_features,
                  "num_classes": model.num_classes},
        "settings": settings,
        "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
    }, path)  # fmt: skip


def load_classifier(path, *, domain=None) -> DigitClassifier:
    """Read a file written by `save_classifier`; a corrupt or mismatched file is a ValueError."""
    path = Path(path)
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # unpickling, truncation, a file that is not torch's
        raise ValueError(f"could not read feature network {path} ({type(error).__name__}: "
                         f"{error}); delete it to train a new one") from error  # fmt: skip
    if not isinstance(saved, dict) or saved.get("format") != FEATURES_FORMAT:
        found = saved.get("format") if isinstance(saved, dict) else type(saved).__name__
        raise ValueError(f"expected a feature network of format {FEATURES_FORMAT!r} in {path}, "
                         f"got {found!r}")  # fmt: skip
    if domain is not None and saved.get("domain") != domain:
        raise ValueError(f"expected a feature network for {domain!r} in {path}, "
                         f"got one for {saved.get('domain')!r}")  # fmt: skip
    try:
        model = DigitClassifier(**saved["model"])
        model.load_state_dict(saved["state_dict"])
    except (KeyError, TypeError, RuntimeError) as error:
        raise ValueError(f"feature network {path} does not match DigitClassifier: "
                         f"{str(error).splitlines()[0]}") from error  # fmt: skip
    model.settings = saved.get("settings", {})
    return model.eval()


def classifier(domain="digits", *, cache_dir=None, root=None) -> DigitClassifier:
    """The frozen feature network for `domain` ("digits" or "mnist"), in eval mode, on the CPU.

    Looks for data/features/<domain>.pt in the repository (shipped), then for
    <cache_dir>/<domain>.pt (default $GANKIT_CACHE or ~/.cache/gankit); otherwise trains one
    (printing one line; "mnist" needs MNIST's training split in `root`, see
    `gankit.data.load_images`) and caches it there.
    """
    from gankit.data import load_images

    if domain not in DOMAINS:
        raise ValueError(f"expected domain in {sorted(DOMAINS)}, got {domain!r}")
    if cache_dir is None:
        cache_dir = os.environ.get("GANKIT_CACHE", Path.home() / ".cache" / "gankit")
    for path in (SHIPPED_DIR / f"{domain}.pt", Path(cache_dir) / f"{domain}.pt"):
        if path.is_file():
            return _frozen(load_classifier(path, domain=domain))

    epochs = DOMAINS[domain]["epochs"]
    images, labels = load_images(domain, split="train", root=root)  # (N, 1, 28, 28), (N,)
    test_images, test_labels = load_images(domain, split="test", root=root)
    print(f"Training the {domain} feature classifier ({epochs} epochs on {len(labels)} images), "
          f"to be cached in {Path(cache_dir) / f'{domain}.pt'}")  # fmt: skip
    model = train_classifier(images, labels, epochs=epochs, test_images=test_images,
                             test_labels=test_labels, progress=False)  # fmt: skip
    save_classifier(model, Path(cache_dir) / f"{domain}.pt", domain=domain, epochs=epochs,
                    seed=0, accuracy=model.accuracy)  # fmt: skip
    return _frozen(model)


def _frozen(model):
    model.requires_grad_(False)
    return model.eval()
