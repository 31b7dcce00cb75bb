"""Pictures of what a GAN learned: samples over the true density, D's decision surface, curves,
grids of generated images and a live training figure for notebooks.

Every function draws into `ax` (a new figure when None) and returns that axes.
"""

import io

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from scipy.special import expit

SAMPLE_STYLE = {"s": 4, "alpha": 0.5, "color": "tab:orange", "linewidths": 0}


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float32).numpy()
    return np.asarray(x, dtype=np.float32)


def _new_ax(ax):
    return plt.subplots(figsize=(5, 5))[1] if ax is None else ax


def _default_extent(mixture=None, samples=None, margin=0.15) -> tuple:
    """(xmin, xmax, ymin, ymax): the mixture centers' bounding box (else the samples') + margin."""
    if mixture is not None:
        points = _to_numpy(mixture.centers)
        pad = 4 * float(mixture.std.max())
    elif samples is not None:
        points, pad = samples, 0.0
    else:
        raise ValueError("expected an extent=(xmin, xmax, ymin, ymax), a mixture or samples")
    low, high = points.min(axis=0), points.max(axis=0)  # (2,), (2,)
    pad = pad + margin * max(float((high - low).max()), 1.0)
    return (float(low[0] - pad), float(high[0] + pad), float(low[1] - pad), float(high[1] + pad))


def _grid_points(extent, resolution) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A resolution x resolution grid over extent: xs, ys (each (R, R)) and points (R*R, 2)."""
    xs, ys = np.meshgrid(
        np.linspace(extent[0], extent[1], resolution),
        np.linspace(extent[2], extent[3], resolution),
    )
    return xs, ys, np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)


def _check_2d(samples, what="samples") -> np.ndarray:
    samples = _to_numpy(samples)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"expected {what} of shape (N, 2), got {samples.shape}")
    return samples


def plot_samples_2d(samples, mixture=None, ax=None, title=None, extent=None):
    """A scatter of 2-D samples over the mixture's log-density as filled contours."""
    samples = _check_2d(samples)
    ax = _new_ax(ax)
    extent = extent if extent is not None else _default_extent(mixture, samples)
    if mixture is not None:
        xs, ys, points = _grid_points(extent, 200)
        log_p = mixture.log_prob(torch.from_numpy(points)).numpy().reshape(xs.shape)  # (R, R)
        # Clip 20 nats below the peak: the log-density of a narrow mode falls off quadratically.
        levels = np.linspace(log_p.max() - 20, log_p.max(), 11)
        ax.contourf(xs, ys, np.maximum(log_p, levels[0]), levels=levels, cmap="Blues", alpha=0.8)
    ax.scatter(samples[:, 0], samples[:, 1], **SAMPLE_STYLE, label="samples")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


@torch.no_grad()
def _discriminator_probs(D, points: np.ndarray) -> np.ndarray:
    """sigmoid(D(x)) for points (N, in_dim), evaluated in eval mode on D's device."""
    return expit(_scores(D, points))


def _scores(D, points: np.ndarray) -> np.ndarray:
    """D's raw outputs (logits or critic scores) for points (N, in_dim), in eval mode on D's device."""
    parameter = next(D.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    was_training = D.training
    D.eval()
    try:
        with torch.no_grad():
            logits = D(torch.from_numpy(points).to(device))  # (N,)
    finally:
        D.train(was_training)
    return logits.float().reshape(-1).cpu().numpy().astype(np.float64)


def plot_density_1d(samples, mixture=None, ax=None, discriminator=None, title=None):
    """A histogram of 1-D samples against the true pdf, and optionally D(x) on a twin axis."""
    samples = _to_numpy(samples).reshape(-1)  # (N,) from (N,) or (N, 1)
    ax = _new_ax(ax)
    low, high = float(samples.min()), float(samples.max())
    if mixture is not None:
        centers, std = _to_numpy(mixture.centers)[:, 0], float(mixture.std.max())
        low, high = min(low, centers.min() - 4 * std), max(high, centers.max() + 4 * std)
    xs = np.linspace(low, high, 400, dtype=np.float32)  # (400,)

    ax.hist(
        samples,
        bins=50,
        range=(low, high),
        density=True,
        alpha=0.5,
        color="tab:orange",
        label="samples",
    )
    if mixture is not None:
        ax.plot(
            xs,
            mixture.pdf(torch.from_numpy(xs[:, None])).numpy(),
            color="tab:blue",
            label="data density $p_{data}(x)$",
        )
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    handles, labels = ax.get_legend_handles_labels()
    if discriminator is not None:
        twin = ax.twinx()
        twin.plot(
            xs,
            _discriminator_probs(discriminator, xs[:, None]),
            color="tab:red",
            linestyle="--",
            label="$D(x)$",
        )
        twin.set_ylim(0, 1)
        twin.set_ylabel("$D(x)$ = P(real)")
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(handles, labels, loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_surface(D, mixture=None, samples=None, ax=None, extent=None, resolution=200):
    """sigmoid(D(x)) over a 2-D grid (red: D says real, blue: fake), mode centers marked."""
    if samples is not None:
        samples = _check_2d(samples)
    ax = _new_ax(ax)
    extent = extent if extent is not None else _default_extent(mixture, samples)
    xs, _, points = _grid_points(extent, resolution)
    probs = _discriminator_probs(D, points).reshape(xs.shape)  # (R, R)
    image = ax.imshow(
        probs, origin="lower", extent=extent, vmin=0, vmax=1, cmap="RdBu_r", aspect="equal"
    )
    ax.figure.colorbar(image, ax=ax, label="$D(x)$ = sigmoid(logit)")
    if mixture is not None:
        centers = _to_numpy(mixture.centers)
        ax.scatter(
            centers[:, 0], centers[:, 1], marker="x", color="black", s=30, label="mode centers"
        )
    if samples is not None:
        ax.scatter(samples[:, 0], samples[:, 1], **SAMPLE_STYLE, label="samples")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_critic_surface(
    critic, real=None, fake=None, ax=None, extent=None, resolution=150, title=None
):
    """A critic's scores f(x) over a 2-D grid as filled contours, with real and fake samples.

    A WGAN critic's score has no probability meaning, so it is not squashed through a sigmoid;
    for a 1-Lipschitz critic the contour lines are at least as far apart as the score steps.
    """
    real = None if real is None else _check_2d(real, "real samples")
    fake = None if fake is None else _check_2d(fake, "fake samples")
    ax = _new_ax(ax)
    shown = [s for s in (real, fake) if s is not None]
    extent = (
        extent
        if extent is not None
        else _default_extent(samples=np.concatenate(shown) if shown else None)
    )
    xs, ys, points = _grid_points(extent, resolution)
    scores = _scores(critic, points).reshape(xs.shape)  # (R, R)
    filled = ax.contourf(xs, ys, scores, levels=20, cmap="RdBu_r")
    ax.figure.colorbar(filled, ax=ax, label="critic score $f(x)$")
    if real is not None:
        ax.scatter(
            real[:, 0], real[:, 1], s=3, color="black", alpha=0.5, linewidths=0, label="real"
        )
    if fake is not None:
        ax.scatter(fake[:, 0], fake[:, 1], **SAMPLE_STYLE, label="fake")
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    if title:
        ax.set_title(title)
    if shown:
        ax.legend(loc="lower left", fontsize=8)
    return ax


def _history_dict(history) -> dict:
    return history.as_dict() if hasattr(history, "as_dict") else dict(history)


def plot_losses(history, ax=None):
    """D and G losses against the training step (a `History` or its `as_dict()`)."""
    values = _history_dict(history)
    ax = ax if ax is not None else plt.subplots(figsize=(6, 3.5))[1]
    ax.plot(values["step"], values["d_loss"], label="D loss")
    ax.plot(values["step"], values["g_loss"], label="G loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def plot_grad_norms(history, ax=None):
    """The norm of G's gradient against the step, on a log scale."""
    values = _history_dict(history)
    ax = ax if ax is not None else plt.subplots(figsize=(6, 3.5))[1]
    ax.plot(values["step"], values["g_grad"], color="tab:green")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\|\nabla_{\theta_G} L_G\|_2$")
    return ax


def image_grid(images, nrow=8) -> np.ndarray:
    """Images (N, C, H, W) in [-1, 1] tiled into one picture by torchvision's `make_grid`.

    Returns values in [0, 1]: shape (H', W') for one channel, (H', W', 3) for three.
    """
    images = torch.as_tensor(images)
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected images of shape (N, 1 or 3, H, W), got {tuple(images.shape)}")
    from torchvision.utils import make_grid  # here: importing torchvision takes seconds

    images = (images.detach().to("cpu", torch.float32) + 1) / 2  # [-1, 1] -> [0, 1]
    grid = make_grid(images, nrow=nrow, padding=2, pad_value=1.0).clamp(0, 1)  # (3, H', W')
    return grid[0].numpy() if images.shape[1] == 1 else grid.permute(1, 2, 0).numpy()


def plot_images(images, ax=None, nrow=8, title=None):
    """A grid of images in [-1, 1] (gray for one channel), without axis ticks."""
    grid = image_grid(images, nrow=nrow)
    ax = ax if ax is not None else plt.subplots(figsize=(5, 5))[1]
    ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_samples_over_time(samples, axes=None, n_images=16, nrow=4, max_grids=8):
    """A row of image grids, G's samples of the same codes at increasing steps.

    `samples` is `history.samples` (a list of (step, images)) or the `History` itself. With
    more than `max_grids` entries, evenly spaced ones are shown, the first and last included.
    Returns the axes.
    """
    samples = list(getattr(samples, "samples", samples))
    if not samples:
        raise ValueError("expected a list of (step, images) pairs, got an empty one")
    if len(samples) > max_grids:
        picks = np.linspace(0, len(samples) - 1, max_grids).round().astype(int)
        samples = [samples[i] for i in picks]
    if axes is None:
        _, axes = plt.subplots(1, len(samples), figsize=(2.2 * len(samples), 2.6), squeeze=False)
        axes = axes[0]
    if len(axes) != len(samples):
        raise ValueError(f"expected {len(samples)} axes, one per grid, got {len(axes)}")
    for ax, (step, images) in zip(axes, samples):
        plot_images(images[:n_images], ax=ax, nrow=nrow, title=f"step {step}")
    return axes


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, where a display can be updated in place."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


class LiveFigure:
    """Loss curves and the latest samples, redrawn in place in a notebook during training.

    The first `update` displays a PNG through an IPython display handle; later ones replace it,
    so a long run leaves one picture, not one per update. Outside a Jupyter kernel `update`
    does nothing. `train_gan(..., live=True)` makes one.
    """

    def __init__(self, title=None):
        self.title = title
        self.active = _in_notebook()
        self.handle = None  # the IPython display handle, from the first update
        self.png = None  # the last picture drawn, as PNG bytes

    def draw(self, history) -> bytes:
        """The figure for `history` (a `History`) as PNG bytes."""
        samples = history.samples[-1] if history.samples else None
        figure = Figure(figsize=(10, 3.6) if samples is not None else (6, 3.6))
        loss_ax = figure.add_subplot(1, 2 if samples is not None else 1, 1)
        if len(history):
            plot_losses(history, ax=loss_ax)
        if self.title:
            loss_ax.set_title(self.title)
        if samples is not None:
            step, images = samples
            sample_ax = figure.add_subplot(1, 2, 2)
            if images.ndim == 4:
                plot_images(images, ax=sample_ax, title=f"samples at step {step}")
            elif images.ndim == 2 and images.shape[1] == 2:
                plot_samples_2d(images, ax=sample_ax, title=f"samples at step {step}")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()

    def update(self, history) -> None:
        if not self.active:
            return
        from IPython.display import Image, display

        self.png = self.draw(history)
        if self.handle is None:
            self.handle = display(Image(data=self.png), display_id=True)
        else:
            self.handle.update(Image(data=self.png))
