import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from gankit.data import mixture_1d, ring  # noqa: E402
from gankit.models import MLPDiscriminator  # noqa: E402
from gankit.training import History  # noqa: E402
from gankit.viz import (  # noqa: E402
    plot_decision_surface,
    plot_density_1d,
    plot_grad_norms,
    plot_losses,
    plot_samples_2d,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def scatter_sizes(ax):
    return [len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)]


@pytest.fixture
def history():
    return History(
        step=[0, 10, 20], d_loss=[1.4, 1.2, 1.3], g_loss=[0.7, 0.9, 0.8], g_grad=[1.0, 0.1, 0.01]
    )


def test_plot_samples_2d_draws_density_and_every_sample():
    mixture = ring()
    samples = mixture.sample(50, generator=torch.Generator().manual_seed(0))
    ax = plot_samples_2d(samples, mixture=mixture, title="ring")
    assert 50 in scatter_sizes(ax)
    assert len(ax.collections) > 1  # the filled contours of log p(x) under the scatter
    assert ax.get_title() == "ring"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim()[0] < -2 and ax.get_xlim()[1] > 2  # every center is in view


def test_plot_samples_2d_without_a_mixture_uses_the_given_axes():
    _, ax = plt.subplots()
    assert plot_samples_2d(torch.randn(20, 2), ax=ax, extent=(-1, 1, -1, 1)) is ax
    assert scatter_sizes(ax) == [20]
    assert ax.get_xlim() == (-1, 1)


def test_plot_samples_2d_rejects_3d_points():
    with pytest.raises(ValueError, match=r"expected samples of shape \(N, 2\), got \(5, 3\)"):
        plot_samples_2d(torch.zeros(5, 3))


def test_plot_density_1d_histogram_pdf_and_discriminator():
    mixture = mixture_1d()
    samples = mixture.sample(200, generator=torch.Generator().manual_seed(0))
    D = MLPDiscriminator(in_dim=1, hidden=8, depth=1)
    ax = plot_density_1d(samples, mixture=mixture, discriminator=D, title="1d")
    assert len(ax.patches) == 50  # histogram bars
    assert len(ax.lines) == 1  # the true pdf
    twin = [other for other in ax.figure.axes if other is not ax]
    assert len(twin) == 1 and len(twin[0].lines) == 1  # D(x) on its own axis
    probs = twin[0].lines[0].get_ydata()
    assert ((probs >= 0) & (probs <= 1)).all()
    assert D.training  # plotting does not leave D in eval mode


def test_plot_decision_surface_draws_an_image_with_a_colorbar():
    mixture = ring()
    D = MLPDiscriminator(hidden=8, depth=1)
    samples = mixture.sample(30, generator=torch.Generator().manual_seed(0))
    ax = plot_decision_surface(D, mixture=mixture, samples=samples, resolution=20)
    images = [image for image in ax.get_images() if isinstance(image, AxesImage)]
    assert len(images) == 1 and images[0].get_array().shape == (20, 20)
    assert images[0].get_clim() == (0, 1)
    assert len(ax.figure.axes) == 2  # the plot and its colorbar
    assert sorted(scatter_sizes(ax)) == [8, 30]  # centers and samples
    assert tuple(ax.get_xlim()) == tuple(
        images[0].get_extent()[:2]
    )  # samples do not widen the view


def test_plot_decision_surface_needs_an_extent_from_somewhere():
    with pytest.raises(ValueError, match="extent"):
        plot_decision_surface(MLPDiscriminator(hidden=8, depth=1))


def test_plot_losses_draws_one_labelled_line_per_loss(history):
    ax = plot_losses(history)
    assert [line.get_label() for line in ax.lines] == ["D loss", "G loss"]
    assert list(ax.lines[0].get_xdata()) == [0, 10, 20]
    assert ax.get_legend() is not None
    assert ax.get_xlabel() == "step"
    assert plot_losses(history.as_dict()).lines  # a plain dict works too


def test_plot_grad_norms_uses_a_log_axis(history):
    ax = plot_grad_norms(history)
    assert ax.get_yscale() == "log"
    assert list(ax.lines[0].get_ydata()) == [1.0, 0.1, 0.01]
