import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from gankit.data import mixture_1d, ring  # noqa: E402
from gankit.models import MLPDiscriminator  # noqa: E402
from gankit.training import History  # noqa: E402
from gankit.viz import (  # noqa: E402
    LiveFigure,
    image_grid,
    plot_critic_surface,
    plot_decision_surface,
    plot_density_1d,
    plot_grad_norms,
    plot_images,
    plot_losses,
    plot_samples_2d,
    plot_samples_over_time,
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


def test_image_grid_maps_minus_one_to_one_onto_a_tiled_picture():
    images = torch.full((6, 1, 4, 4), -1.0)
    images[1] = 1.0  # the second image white, the others black
    grid = image_grid(images, nrow=3)
    assert grid.shape == (2 * 4 + 3 * 2, 3 * 4 + 4 * 2)  # 2 rows, 3 columns, 2-pixel padding
    assert grid.min() == 0 and grid.max() == 1
    assert (grid[2:6, 2:6] == 0).all()  # first image: black
    assert (grid[2:6, 8:12] == 1).all()  # second image: white
    colour = image_grid(torch.zeros(4, 3, 8, 8), nrow=2)
    assert colour.shape == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2, 3)
    assert colour[2, 2].tolist() == [0.5, 0.5, 0.5]


def test_image_grid_rejects_what_is_not_a_batch_of_images():
    with pytest.raises(
        ValueError, match=r"expected images of shape \(N, 1 or 3, H, W\), got \(5, 28, 28\)"
    ):
        image_grid(torch.zeros(5, 28, 28))
    with pytest.raises(ValueError, match=r"got \(5, 2, 8, 8\)"):
        image_grid(torch.zeros(5, 2, 8, 8))


def test_plot_images_shows_gray_grids_without_ticks():
    ax = plot_images(torch.rand(16, 1, 8, 8) * 2 - 1, nrow=4, title="samples")
    (image,) = ax.get_images()
    assert image.get_array().shape == (4 * 8 + 5 * 2, 4 * 8 + 5 * 2)
    assert image.get_cmap().name == "gray" and image.get_clim() == (0, 1)
    assert ax.get_title() == "samples" and not ax.axison
    ax = plot_images(torch.zeros(4, 3, 8, 8), nrow=2)
    assert ax.get_images()[0].get_array().shape == (22, 22, 3)


def test_plot_samples_over_time_draws_one_titled_grid_per_step():
    samples = [(step, torch.rand(64, 1, 8, 8) * 2 - 1) for step in (0, 250, 500)]
    axes = plot_samples_over_time(samples, n_images=16, nrow=4)
    assert [ax.get_title() for ax in axes] == ["step 0", "step 250", "step 500"]
    assert all(ax.get_images()[0].get_array().shape == (42, 42) for ax in axes)  # 16 of 64 shown
    history = History(samples=[(step, torch.zeros(4, 1, 8, 8)) for step in range(0, 100, 10)])
    axes = plot_samples_over_time(history, max_grids=4)
    assert [ax.get_title() for ax in axes] == ["step 0", "step 30", "step 60", "step 90"]
    with pytest.raises(
        ValueError, match=r"expected a list of \(step, images\) pairs, got an empty one"
    ):
        plot_samples_over_time([])


def test_live_figure_draws_losses_and_the_latest_samples_as_png(history):
    figure = LiveFigure(title="DCGAN")
    assert not figure.active  # not in a notebook: update does nothing
    figure.update(history)
    assert figure.png is None
    losses_only = figure.draw(history)
    history.samples.append((20, torch.rand(16, 1, 8, 8) * 2 - 1))
    with_images = figure.draw(history)
    history.samples.append((30, torch.randn(50, 2)))
    with_points = figure.draw(history)
    assert all(png.startswith(b"\x89PNG") for png in (losses_only, with_images, with_points))
    assert len({losses_only, with_images, with_points}) == 3
    assert plt.get_fignums() == []  # drawn off pyplot: nothing left to show twice


def test_plot_critic_surface_contours_the_raw_scores_with_real_and_fake_samples():
    class Slope(torch.nn.Module):  # f(x) = 5 x_1: far outside [0, 1], so no sigmoid may squash it
        def forward(self, x):
            return 5 * x[:, 0]

    critic = Slope()
    critic.register_parameter("unused", torch.nn.Parameter(torch.zeros(1)))
    real, fake = torch.randn(40, 2), torch.randn(30, 2) + 3
    ax = plot_critic_surface(
        critic, real, fake, extent=(-2, 2, -1, 1), resolution=30, title="critic"
    )
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert contours.levels.min() <= -9 and contours.levels.max() >= 9  # the raw scores -10 .. 10
    assert sorted(scatter_sizes(ax)) == [30, 40]
    assert ax.get_title() == "critic" and tuple(ax.get_xlim()) == (-2, 2)
    with pytest.raises(ValueError, match=r"expected fake samples of shape \(N, 2\), got \(30, 3\)"):
        plot_critic_surface(critic, real, torch.randn(30, 3))
