"""GAN Lab in a notebook: watch a GAN learn a 2-D distribution, frame by frame.

After GAN Lab (Kahng, Thorat, Chau, Viégas and Wattenberg 2019, "GAN Lab: Understanding Complex
Deep Generative Models using Interactive Visual Experimentation", IEEE TVCG 25(1);
poloclub.github.io/ganlab). Pick a target (or draw one on the board), a loss and the learning
rates, press Play, and watch three panels:

    (a) real and generated samples over D's decision surface, with arrows -dL_G/dx: where G's
        loss pushes each generated sample (GAN Lab's "generator gradients");
    (b) the losses of D and G;
    (c) the modes covered and the fraction of high-quality samples (`metrics.mode_coverage`).

One iteration is d_steps updates of D (k in Goodfellow et al. 2014, Algorithm 1; n_critic in
WGAN) then g_steps updates of G; one frame is `iterations_per_frame` iterations, then a redraw.
Play trains in a background thread, so the notebook stays free while it runs.
Code (paper): G (G), D (D, or the critic f for the Wasserstein losses), z (z ~ N(0, I)).
"""

import io
import math
import threading
from dataclasses import dataclass, field
from functools import partial

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from gankit import data, losses, metrics
from gankit.models import MLPDiscriminator, MLPGenerator, wgan
from gankit.training import g_step, seed_everything


def spiral(n_modes=10, turns=1.25, radius=3.5, std=0.1) -> data.GaussianMixture:
    """n_modes Gaussians on an Archimedean spiral: centre k at radius * t_k and angle
    2 pi turns t_k, t_k = (k + 1) / n_modes (closer together near the middle)."""
    t = (torch.arange(n_modes, dtype=torch.float64) + 1) / n_modes  # (K,)
    angles = 2 * math.pi * turns * t  # (K,)
    directions = torch.stack([angles.cos(), angles.sin()], dim=1)  # (K, 2)
    return data.GaussianMixture(radius * t[:, None] * directions, std=std)


# The presets, with std 0.1 instead of data.ring's 0.02: blobs one can see, learnt in a few
# hundred iterations (see LOSSES); at 0.02, non-saturating and least squares had 0 to 2 of the 8
# ring modes after 800 iterations (seeds 0 and 1).
TARGETS = {
    "ring": partial(data.ring, std=0.1),
    "grid": partial(data.grid, std=0.1),
    "spiral": spiral,
}
BOARD_CELLS, BOARD_EXTENT, DRAWN_STD = 8, 4.0, 0.1  # 8 x 8 cells over [-4, 4]^2


def drawn_mixture(selected, *, cells=BOARD_CELLS, extent=BOARD_EXTENT, std=DRAWN_STD):
    """The mixture of the board's selected cells (row, col), one Gaussian at each cell's centre.

    Row 0 is the top of the board (largest x_2), column 0 its left (smallest x_1).
    """
    if not selected:
        raise ValueError("expected at least one selected cell (row, col), got none")
    side = 2 * extent / cells
    centers = [(-extent + (col + 0.5) * side, extent - (row + 0.5) * side) for row, col in selected]
    return data.GaussianMixture(centers, std=std)  # (K, 2) centres


def generator_gradients(D, g_loss, x) -> torch.Tensor:
    """-dL_G/dx at the points x (N, 2): where G's loss pushes each generated sample.

    L_G = g_loss(D(x)) is a mean over the batch; times N, each row is one sample's own
    gradient. G's parameters move so that G(z) follows these arrows (the chain rule through x).
    """
    x = x.detach().requires_grad_(True)  # (N, 2)
    (grad,) = torch.autograd.grad(g_loss(D(x)) * len(x), x)  # (N, 2)
    return -grad


# How each loss paints D's outputs on the grid into [0, 1] (1: D says real).
def _min_max(scores):
    return (scores - scores.min()) / (scores.max() - scores.min()).clamp(min=1e-12)


def _hinge_band(scores):
    return (scores.clamp(-1, 1) + 1) / 2  # the hinge loss's margin band [-1, 1]


def _least_squares_band(scores):
    return scores.clamp(0, 1)  # LSGAN's targets: 0 for fake, 1 for real


@dataclass(frozen=True)
class Recipe:
    """One loss option: the two losses, the keyword arguments of `wgan.d_step`, and defaults."""

    d_loss: object  # (D(x) (B,), D(G(z)) (B,)) -> scalar
    g_loss: object  # D(G(z)) (B,) -> scalar
    d_options: dict = field(default_factory=dict)  # gp_weight, clip
    optimizer: object = partial(torch.optim.Adam, betas=(0.5, 0.999))
    lr: float = 2e-3  # for G and D alike
    d_steps: int = 1
    surface: object = torch.sigmoid  # D's outputs (N,) -> [0, 1], for the picture
    surface_label: str = "D(x) = sigmoid(logit)"


# The picture of D for each kind of output: a map into [0, 1] and the colour bar's label.
CRITIC_VIEW = {"surface": _min_max, "surface_label": "critic f(x), rescaled to [0, 1]"}
HINGE_VIEW = {"surface": _hinge_band, "surface_label": "(clamp(D(x), -1, 1) + 1) / 2"}
LEAST_SQUARES_VIEW = {"surface": _least_squares_band, "surface_label": "clamp(D(x), 0, 1)"}
WASSERSTEIN = (losses.d_loss_wasserstein, losses.g_loss_wasserstein)
ADAM_GP = partial(torch.optim.Adam, betas=(0.5, 0.9))  # Gulrajani et al. 2017, Algorithm 1
# Defaults measured in the lab on the ring (its default sizes, seeds 0, 1, 2); each entry gives
# the iterations until all 8 modes were first covered (coverage read every 100).
LOSSES = {
    # Goodfellow et al. 2014, Eq. (1) and Section 3; D's outputs stay moderate on this toy, so
    # even the saturating loss learns. Minimax 300, 700, 300; non-saturating 400, 600, 300.
    "minimax": Recipe(losses.d_loss_bce, losses.g_loss_saturating),
    "non-saturating": Recipe(losses.d_loss_bce, losses.g_loss_nonsaturating),
    # Arjovsky et al. 2017, Algorithm 1 (RMSProp), but c = 0.1, n_critic = 2 and lr 2e-3: with
    # the paper's c = 0.01 and n_critic = 5 the clipped critic hardly moved G (1 or 2 modes
    # after 600 iterations, lr 5e-4 or 2e-3). Still the slowest: 800, 1200, 1000 (7 at 1200).
    "wgan-clip": Recipe(*WASSERSTEIN, {"clip": 0.1}, torch.optim.RMSprop, 2e-3, 2, **CRITIC_VIEW),
    # Gulrajani et al. 2017, but lambda = 1 and n_critic = 2 instead of 10 and 5: the data spans
    # a few units, and lambda = 10 took 400-600 iterations to 8 modes against 200 for lambda = 1
    # (n_critic = 5); n_critic = 2 halves the cost of a frame. 300, 400, 400.
    "wgan-gp": Recipe(*WASSERSTEIN, {"gp_weight": 1.0}, ADAM_GP, 1e-3, 2, **CRITIC_VIEW),
    # Lim and Ye 2017; Miyato et al. 2018, Eqs. (16)-(17). 1000, 1000, 400 (lr 1e-3 was
    # no better: 600, 1000, 500).
    "hinge": Recipe(losses.d_loss_hinge, losses.g_loss_hinge, **HINGE_VIEW),
    # Mao et al. 2017, Eq. (9). 200, 300, 200.
    "least-squares": Recipe(
        losses.d_loss_least_squares, losses.g_loss_least_squares, **LEAST_SQUARES_VIEW
    ),
}
TARGET_NAMES = [*TARGETS, "drawn"]
EMPTY_BOARD = "Nothing drawn yet: click cells of the board to place the target's Gaussians."


def _check_choice(what: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(
            f"expected {what} to be one of {', '.join(map(repr, choices))}, got {value!r}"
        )


def _nice_ceiling(n: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least n (n > 0)."""
    power = 10.0 ** math.floor(math.log10(n))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= n)


def _round_out(values) -> tuple[float, float]:
    """Limits around the finite values, rounded outwards to a power of ten below their spread,
    so that they change only now and then as training goes on; (0, 1) without values."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    step = 10.0 ** math.floor(math.log10(max(high - low, 0.1 * abs(high), 1e-6)))
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    return low, high if high > low else low + step


class GanLab(widgets.VBox):
    """Controls, a status line and the three panels; see the module's docstring and `lab`.

    Options: the target and loss names, `seed` (of the weights, data and noise), `hidden` and
    `depth` of both MLPs, `batch_size`, `iterations_per_frame`, `n_show` (samples drawn),
    `n_arrows`, `resolution` (of the grid D is drawn on) and `dpi` (of the picture).

    For tests and scripts: `step()` trains one frame and redraws (returns the PNG bytes),
    `play()` / `pause()` start and stop the background thread, `reset()` starts again from the
    seed; `iteration`, `history` (lists, one entry per frame: iteration, d_loss, g_loss, modes,
    hq) and `png` tell where training is; `error` holds what stopped Play, if anything.
    `cells[row][col]` are the board's buttons.
    """

    def __init__(self, *, target="ring", loss="non-saturating", seed=0, hidden=64, depth=3,
                 batch_size=256, iterations_per_frame=4, n_show=512, n_arrows=64,
                 resolution=48, dpi=72):  # fmt: skip
        super().__init__()
        _check_choice("target", target, TARGET_NAMES)
        _check_choice("loss", loss, list(LOSSES))
        self.seed, self.hidden, self.depth, self.batch_size = seed, hidden, depth, batch_size
        self.iterations_per_frame, self.n_show, self.dpi = iterations_per_frame, n_show, dpi
        self.n_arrows, self.resolution = min(n_arrows, n_show), resolution
        self._lock = threading.RLock()  # held while training, drawing or resetting
        self._stop, self._thread, self.error = threading.Event(), None, None

        recipe = LOSSES[loss]
        self.target = widgets.Dropdown(options=TARGET_NAMES, value=target, description="target")
        self.loss = widgets.Dropdown(options=list(LOSSES), value=loss, description="loss")
        self.lr_g, self.lr_d = (
            widgets.FloatLogSlider(
                value=recipe.lr, min=-5, max=-1, step=0.1, description=name, readout_format=".1e"
            )
            for name in ("G lr", "D lr")
        )
        self.d_steps = widgets.IntSlider(value=recipe.d_steps, min=1, max=10, description="D steps")
        self.g_steps = widgets.IntSlider(value=1, min=1, max=5, description="G steps")
        self.buttons = {
            name: widgets.Button(description=name) for name in ("Play", "Pause", "Step", "Reset")
        }
        cell_layout = widgets.Layout(width="26px", height="26px", padding="0")
        self.cells = [[widgets.ToggleButton(layout=cell_layout) for _ in range(BOARD_CELLS)]
                      for _ in range(BOARD_CELLS)]  # fmt: skip
        self.board = widgets.VBox([widgets.HBox(row) for row in self.cells])
        self.status = widgets.Label()
        self.image = widgets.Image(format="png")

        self.target.observe(lambda _: self.reset(), names="value")
        self.loss.observe(self._on_loss, names="value")
        for slider in (self.lr_g, self.lr_d):
            slider.observe(lambda _: self._apply_learning_rates(), names="value")
        for cell in (cell for row in self.cells for cell in row):
            cell.observe(self._on_cell, names="value")
        actions = {"Play": self.play, "Pause": self.pause, "Step": self.step, "Reset": self.reset}
        for name, action in actions.items():
            self.buttons[name].on_click(lambda _, action=action: action())
        self.children = [
            widgets.HBox([self.target, self.loss]),
            widgets.HBox([self.lr_g, self.lr_d]),
            widgets.HBox([self.d_steps, self.g_steps]),
            widgets.HBox(list(self.buttons.values())),
            self.board,
            self.status,
            self.image,
        ]
        self._build_figure()
        self.reset()

    # --- training ------------------------------------------------------------------------

    def reset(self) -> bytes:
        """New G, D and optimisers from the seed, for the chosen target and loss; redraws."""
        with self._lock:
            drawn = self.target.value == "drawn"
            self.board.layout.display = None if drawn else "none"
            self.mixture = self._drawn_mixture() if drawn else TARGETS[self.target.value]()
            self.recipe = LOSSES[self.loss.value]
            self.generator = seed_everything(self.seed)  # and G's and D's initial weights
            self.G = MLPGenerator(z_dim=2, out_dim=2, hidden=self.hidden, depth=self.depth)
            self.D = MLPDiscriminator(in_dim=2, hidden=self.hidden, depth=self.depth)
            self.opt_g = self.recipe.optimizer(self.G.parameters(), lr=self.lr_g.value)
            self.opt_d = self.recipe.optimizer(self.D.parameters(), lr=self.lr_d.value)
            # The samples shown: fixed codes and real points, so that the picture moves smoothly.
            self.z_show = self.G.sample_z(self.n_show, generator=self.generator)  # (n_show, 2)
            self.real_show = torch.zeros(0, 2)  # (n_show, 2) once there is a target
            if self.mixture is not None:
                self.real_show = self.mixture.sample(self.n_show, generator=self.generator)
            self.iteration = 0
            self.history = {key: [] for key in ("iteration", "d_loss", "g_loss", "modes", "hq")}
            # The view: the board, or the centres' reach, a quarter more and 0.5.
            reach = BOARD_EXTENT if drawn else 1.25 * float(self.mixture.centers.abs().max()) + 0.5
            self._set_view(reach)
            return self.render()

    def _drawn_mixture(self):
        selected = [
            (r, c) for r, row in enumerate(self.cells) for c, cell in enumerate(row) if cell.value
        ]
        return drawn_mixture(selected) if selected else None  # None: nothing drawn yet

    def train_frame(self) -> None:
        """iterations_per_frame iterations, each d_steps D updates then g_steps G updates."""
        with self._lock:
            if self.mixture is None:
                return
            B, gen, recipe = self.batch_size, self.generator, self.recipe
            d_values, g_values = [], []
            for _ in range(self.iterations_per_frame):
                for _ in range(self.d_steps.value):
                    real = self.mixture.sample(B, generator=gen)  # (B, 2)
                    z = self.G.sample_z(B, generator=gen)  # (B, 2)
                    d_loss = wgan.d_step(self.G, self.D, self.opt_d, real, z,
                                         d_loss=recipe.d_loss, **recipe.d_options)  # fmt: skip
                    d_values.append(d_loss)
                for _ in range(self.g_steps.value):
                    z = self.G.sample_z(B, generator=gen)  # (B, 2)
                    g_values.append(g_step(self.G, self.D, self.opt_g, z, g_loss=recipe.g_loss)[0])
                self.iteration += 1
            with torch.no_grad():
                coverage = metrics.mode_coverage(self.G(self.z_show), self.mixture)
            frame = {"iteration": self.iteration, "d_loss": float(np.mean(d_values)),
                     "g_loss": float(np.mean(g_values)), "modes": coverage["modes"],
                     "hq": coverage["hq"]}  # fmt: skip
            for key, value in frame.items():
                self.history[key].append(value)

    def step(self) -> bytes:
        """One frame: train, then redraw; returns the PNG bytes."""
        with self._lock:
            self.train_frame()
            return self.render()

    def _apply_learning_rates(self) -> None:
        with self._lock:  # the running optimisers use the sliders' values from the next update
            for optimizer, slider in ((self.opt_g, self.lr_g), (self.opt_d, self.lr_d)):
                for group in optimizer.param_groups:
                    group["lr"] = slider.value

    def _on_loss(self, change) -> None:
        recipe = LOSSES[change["new"]]
        self.lr_g.value, self.lr_d.value, self.d_steps.value = recipe.lr, recipe.lr, recipe.d_steps
        self.reset()

    def _on_cell(self, _change) -> None:
        if self.target.value == "drawn":
            self.reset()

    # --- the background thread -----------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self) -> None:
        """Train and redraw frame after frame in a background (daemon) thread, until `pause`."""
        if self.playing:
            return
        if self.mixture is None:
            self.status.value = EMPTY_BOARD
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gan-lab", daemon=True)
        self.buttons["Step"].disabled = True
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set() and self.mixture is not None:
                self.step()
        except Exception as error:  # shown in the status line, not lost in the thread
            self.error = error
            self.status.value = f"training stopped: {type(error).__name__}: {error}"
        finally:
            self.buttons["Step"].disabled = False

    def pause(self) -> None:
        """Stop playing after the current frame; returns once the thread has ended."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None

    stop = pause  # the name `close` and scripts use

    def close(self) -> None:
        """Stop the thread, then close the widget."""
        self.stop()
        super().close()

    # --- the picture ---------------------------------------------------------------------

    def _build_figure(self) -> None:
        """The figure and its artists, made once. The moving ones are "animated": a full draw
        leaves them out and is kept as the background, and each frame draws them over it.
        Legends sit above the panels, in the background: text is the slowest thing to draw."""
        self.figure = Figure(figsize=(12, 3.9), dpi=self.dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.04, right=0.98, bottom=0.14, top=0.88, wspace=0.4)
        ax_samples, ax_loss, ax_modes = self.figure.subplots(1, 3, width_ratios=(1.3, 1, 1))
        R = self.resolution
        self._surface = ax_samples.imshow(np.zeros((R, R)), origin="lower", vmin=0, vmax=1,
                                          cmap="RdBu_r", alpha=0.7)  # fmt: skip
        self._colorbar = self.figure.colorbar(self._surface, ax=ax_samples, fraction=0.046,
                                              pad=0.02)  # fmt: skip
        self._real = ax_samples.scatter([], [], s=5, color="tab:green", label="real")
        self._fake = ax_samples.scatter([], [], s=5, color="tab:purple", label="generated")
        zeros = np.zeros(self.n_arrows)
        self._arrows = ax_samples.quiver(zeros, zeros, zeros, zeros, angles="xy", scale=1,
                                         scale_units="xy", width=0.004, label="−∇x L_G")  # fmt: skip
        self._note = ax_samples.text(0.02, 0.02, "", transform=ax_samples.transAxes, fontsize=8,
                                     bbox={"facecolor": "white", "alpha": 0.7})  # fmt: skip
        ax_samples.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
        (self._d_line,) = ax_loss.plot([], [], label="D loss")
        (self._g_line,) = ax_loss.plot([], [], label="G loss")
        (self._modes_line,) = ax_modes.plot([], [], label="modes captured / K")
        (self._hq_line,) = ax_modes.plot([], [], label="high quality")
        ax_loss.set_xlabel("iteration")
        ax_modes.set(xlabel="iteration", ylabel="fraction")
        for ax in self.figure.axes[:3]:
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=3, fontsize=8, frameon=False,
                      markerscale=2, borderaxespad=0.2)  # fmt: skip
        self._axes = ax_samples, ax_loss, ax_modes
        self._moving = [self._surface, self._real, self._fake, self._arrows, self._note,
                        self._d_line, self._g_line, self._modes_line, self._hq_line]  # fmt: skip
        for artist in self._moving:
            artist.set_animated(True)
        self._background = None  # the full draw without the moving artists; None: redraw it

    def _set_view(self, half: float) -> None:
        """Fix panel (a) to [-half, half]^2, with the grid of points where D is drawn."""
        self._surface.set_extent((-half, half, -half, half))
        self._set_limits(self._axes[0], (-half, half), (-half, half))
        ticks = torch.linspace(-half, half, self.resolution)  # (R,)
        ys, xs = torch.meshgrid(ticks, ticks, indexing="ij")  # (R, R) each; rows go up in x_2
        self._grid = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)  # (R*R, 2)
        self._arrow_length = 0.15 * half  # the longest arrow, in data units
        self._colorbar.set_label(self.recipe.surface_label, fontsize=8)
        self._background = None

    def _set_limits(self, ax, xlim, ylim) -> None:
        if (tuple(ax.get_xlim()), tuple(ax.get_ylim())) != (xlim, ylim):
            ax.set(xlim=xlim, ylim=ylim)
            self._background = None  # new ticks: draw the background again

    def render(self) -> bytes:
        """Redraw the three panels and the status line; returns the PNG bytes."""
        with self._lock:
            _, ax_loss, ax_modes = self._axes
            with torch.no_grad():
                fake = self.G(self.z_show)  # (n_show, 2)
                scores = self.D(self._grid)  # (R*R,)
            R = self.resolution
            self._surface.set_data(self.recipe.surface(scores).reshape(R, R).numpy())
            self._real.set_offsets(self.real_show.numpy())
            self._fake.set_offsets(fake.numpy())
            points = fake[: self.n_arrows]  # (n_arrows, 2)
            arrows = generator_gradients(self.D, self.recipe.g_loss, points)  # (n_arrows, 2)
            longest = float(arrows.norm(dim=1).max())
            arrows = arrows * (self._arrow_length / max(longest, 1e-12))  # (n_arrows, 2)
            self._arrows.set_offsets(points.numpy())
            self._arrows.set_UVC(arrows[:, 0].numpy(), arrows[:, 1].numpy())
            self._note.set_text(
                f"iteration {self.iteration}, longest arrow |∇x L_G| = {longest:.2g}"
            )

            h = self.history
            K = self.mixture.n_modes if self.mixture is not None else 1
            self._d_line.set_data(h["iteration"], h["d_loss"])
            self._g_line.set_data(h["iteration"], h["g_loss"])
            self._modes_line.set_data(h["iteration"], np.asarray(h["modes"]) / K)
            self._hq_line.set_data(h["iteration"], h["hq"])
            xlim = (0.0, _nice_ceiling(max(self.iteration, 1)))
            self._set_limits(ax_loss, xlim, _round_out(h["d_loss"] + h["g_loss"]))
            self._set_limits(ax_modes, xlim, (0.0, 1.05))
            self.status.value = self._status_text()
            self.image.value = self._draw_png()
            return self.png

    def _draw_png(self) -> bytes:
        if self._background is None:
            self.canvas.draw()  # everything but the moving artists
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._background)
        for artist in self._moving:
            self.figure.draw_artist(artist)
        rgb = np.asarray(self.canvas.buffer_rgba())[..., :3]  # (H, W, 3) uint8
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, format="png", compress_level=1)  # fast, a bit larger
        return buffer.getvalue()

    def _status_text(self) -> str:
        h, mixture = self.history, self.mixture
        if mixture is None or not h["iteration"]:
            return EMPTY_BOARD if mixture is None else "iteration 0: press Play or Step"
        return (f"iteration {self.iteration} | D loss {h['d_loss'][-1]:.4g} | G loss "
                f"{h['g_loss'][-1]:.4g} | {h['modes'][-1]} of {mixture.n_modes} modes captured, "
                f"{h['hq'][-1]:.0%} of the samples high quality")  # fmt: skip

    @property
    def png(self) -> bytes:
        """The picture shown, as PNG bytes."""
        return bytes(self.image.value)


def lab(**options) -> GanLab:
    """GAN Lab in the notebook: display the result, then press Play (options: see `GanLab`).

    target: "ring", "grid", "spiral" or "drawn" (click the board's cells); loss: "minimax",
    "non-saturating", "wgan-clip", "wgan-gp", "hinge" or "least-squares". Each loss brings its
    own learning rate and D steps (`LOSSES`); the sliders change them while it plays.
    """
    return GanLab(**options)
