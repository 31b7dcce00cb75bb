"""Notebook controls for looking around a trained generator.

`latent_explorer(G)` moves the codes z along G's principal directions (GANSpace: Härkönen et
al. 2020, "GANSpace: Discovering Interpretable GAN Controls", Section 2) and between the codes
of two seeds along a great circle (`slerp`: White 2016, "Sampling Generative Networks"), and
shows G's images as the sliders move. It works for any generator with `sample_z(n,
generator=...)` whose output is images (B, C, H, W), trained here or loaded from a checkpoint.

`class_picker(G)` shows a conditional generator's images of one chosen class with z held
(lesson 05); `code_sliders(G)` moves each of an InfoGAN generator's codes with the others
held (lesson 06).
"""

import io

import ipywidgets as widgets
import torch
from PIL import Image
from sklearn.decomposition import PCA

from gankit.training import generate
from gankit.viz import image_grid


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation from z0 (t = 0) to z1 (t = 1); z0, z1 of shape (..., z_dim).

    Codes z ~ N(0, I) lie near the sphere of radius sqrt(z_dim); the straight line between two
    of them cuts inside it, through codes G rarely saw. slerp follows the great circle instead
    (White 2016): sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1, with omega
    the angle between z0 and z1 (the straight line where they are parallel).
    """
    if z0.shape != z1.shape:
        raise ValueError(
            f"expected codes of the same shape, got {tuple(z0.shape)} and {tuple(z1.shape)}"
        )
    cos = torch.nn.functional.cosine_similarity(z0, z1, dim=-1).clamp(-1, 1)[..., None]  # (..., 1)
    omega = torch.arccos(cos)  # (..., 1), the angle between z0 and z1
    sin = torch.sin(omega)
    spherical = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / sin
    return torch.where(sin.abs() < 1e-6, (1 - t) * z0 + t * z1, spherical)  # (..., z_dim)


def principal_directions(G, n=4, n_fit=2000, seed=0) -> torch.Tensor:
    """n unit directions in z along which G's images vary most, shape (n, z_dim).

    GANSpace (Härkönen et al. 2020, Section 2): sample n_fit codes z_j, run PCA on the outputs
    G(z_j) (here the images; the paper uses an early layer's activations), giving each output
    coordinates x_j along the first n components; then solve for the directions U (n, z_dim)
    that best map the coordinates back to the codes, min_U sum_j |x_j U - z_j|^2 (least
    squares). Row k of U is the direction in z of component k, rescaled to unit length.
    """
    z_dim = G.z_dim if hasattr(G, "z_dim") else G.sample_z(1).shape[1]
    if not 1 <= n <= z_dim or n_fit <= n:
        raise ValueError(
            f"expected 1 <= n <= z_dim = {z_dim} and n_fit > n, got n={n}, n_fit={n_fit}"
        )
    z = G.sample_z(n_fit, generator=torch.Generator().manual_seed(seed))  # (n_fit, z_dim)
    images = generate(G, z).flatten(1)  # (n_fit, C*H*W)
    pca = PCA(n_components=n, random_state=seed)
    coordinates = torch.from_numpy(pca.fit_transform(images.numpy()))  # (n_fit, n), x_j
    U = torch.linalg.lstsq(coordinates.double(), z.cpu().double()).solution  # (n, z_dim)
    return (U / U.norm(dim=1, keepdim=True)).float()  # (n, z_dim), unit rows


def _png(images, nrow: int, min_width=640) -> bytes:
    """Images (N, C, H, W) in [-1, 1] as one PNG, enlarged by an integer factor (crisp pixels)."""
    grid = (image_grid(images, nrow=nrow) * 255).round().astype("uint8")  # (H', W'[, 3])
    picture = Image.fromarray(grid)
    factor = -(-min_width // picture.width)  # the smallest whole factor reaching min_width
    picture = picture.resize((picture.width * factor, picture.height * factor), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="png")
    return buffer.getvalue()


class LatentExplorer(widgets.VBox):
    """Sliders over z, and the images G makes of it.

    The shown codes are z = slerp(z_A, z_B, t) + sum_k s_k u_k: `n_images` codes from each of
    two seeds (boxes "seed A", "seed B"), the interpolation slider t, and one slider s_k per
    principal direction u_k (unit length; z ~ N(0, I) has standard deviation 1 along it, so
    s in [-3, 3] spans the prior). "Resample" moves both seeds to new ones.

    For tests and scripts: set `t.value`, `sliders[k].value`, `seed_a.value`, ...; `codes()` and
    `images()` give the current z and G(z); `png` holds the picture shown.
    """

    def __init__(self, G, *, n_directions=4, seed=0, n_fit=2000, n_images=8):
        super().__init__()
        if not callable(getattr(G, "sample_z", None)):
            raise TypeError(
                f"expected a generator with a sample_z(n, generator=...) method, got "
                f"{type(G).__name__} (for an EMA from training.ema_generator, pass ema.module)"
            )
        output = generate(G, G.sample_z(1, generator=torch.Generator().manual_seed(seed)))
        if output.ndim != 4:
            raise ValueError(
                "expected a generator of images (B, C, H, W), "
                f"got output of shape {tuple(output.shape)}"
            )
        self.G, self.n_images = G, n_images
        # u_k, the rows of an (n_directions, z_dim) tensor
        self.directions = principal_directions(G, n=n_directions, n_fit=n_fit, seed=seed)
        self.seed_a = widgets.IntText(value=seed, description="seed A")
        self.seed_b = widgets.IntText(value=seed + 1, description="seed B")
        self.resample = widgets.Button(description="Resample")
        self.t = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="A → B")
        self.sliders = [
            widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.1, description=f"PC {k + 1}")
            for k in range(n_directions)
        ]
        self.image = widgets.Image(format="png")
        self._resampling = False
        for control in [self.seed_a, self.seed_b, self.t, *self.sliders]:
            control.observe(self._on_change, names="value")
        self.resample.on_click(lambda _: self._resample())
        self.children = [
            widgets.HBox([self.seed_a, self.seed_b, self.resample]),
            self.t,
            *self.sliders,
            self.image,
        ]
        self.render()

    def _codes_of(self, seed: int) -> torch.Tensor:
        return self.G.sample_z(self.n_images, generator=torch.Generator().manual_seed(seed))

    def codes(self) -> torch.Tensor:
        """The current codes z, shape (n_images, z_dim), on G's device."""
        z_a, z_b = self._codes_of(self.seed_a.value), self._codes_of(self.seed_b.value)
        s = torch.tensor([slider.value for slider in self.sliders])  # (n_directions,)
        offset = s @ self.directions  # (z_dim,), sum_k s_k u_k
        return slerp(z_a, z_b, self.t.value) + offset.to(z_a.device)  # (n_images, z_dim)

    def images(self) -> torch.Tensor:
        """G(z) for the current codes, (n_images, C, H, W) in [-1, 1], on the CPU."""
        return generate(self.G, self.codes())

    def render(self) -> bytes:
        """Redraw the picture from the current settings; returns its PNG bytes."""
        self.image.value = _png(self.images(), nrow=self.n_images)
        return self.png

    @property
    def png(self) -> bytes:
        """The picture shown, as PNG bytes."""
        return bytes(self.image.value)

    def _on_change(self, _change) -> None:
        if not self._resampling:
            self.render()

    def _resample(self) -> None:
        """Move both seeds to the next unused pair and redraw once."""
        self._resampling = True
        try:
            seed = max(self.seed_a.value, self.seed_b.value) + 1
            self.seed_a.value, self.seed_b.value = seed, seed + 1
        finally:
            self._resampling = False
        self.render()


def latent_explorer(G, *, n_directions=4, seed=0, n_fit=2000, n_images=8) -> LatentExplorer:
    """An interactive view of G's latent space: principal-direction and interpolation sliders.

    See `LatentExplorer`; `principal_directions` fits n_directions GANSpace directions on
    n_fit samples (a few seconds for a small G on a CPU).
    """
    return LatentExplorer(G, n_directions=n_directions, seed=seed, n_fit=n_fit, n_images=n_images)


class _Picture(widgets.VBox):
    """Controls above a picture of G's images; redrawn whenever a control changes."""

    def __init__(self, G, controls, *, nrow):
        super().__init__()
        self.G, self.nrow = G, nrow
        self.image = widgets.Image(format="png")
        for control in controls:
            control.observe(lambda _change: self.render(), names="value")
        self.children = [*controls, self.image]

    def codes(self):
        raise NotImplementedError

    def images(self) -> torch.Tensor:
        """G's images of the current codes, (n, C, H, W) in [-1, 1], on the CPU."""
        return generate(self.G, self.codes())

    def render(self) -> bytes:
        """Redraw the picture from the current settings; returns its PNG bytes."""
        self.image.value = _png(self.images(), nrow=self.nrow)
        return self.png

    @property
    def png(self) -> bytes:
        """The picture shown, as PNG bytes."""
        return bytes(self.image.value)


class ClassPicker(_Picture):
    """A conditional G's images of one class, from the same n_images codes z whatever the class.

    Pick a class with the buttons; "seed" chooses the codes z. Keeping z while the class changes
    shows what z holds on its own: the style (slant, thickness) that carries from one digit to the
    next. For tests and scripts: set `label.value` and `seed.value`; `codes()` gives (z, labels).
    """

    def __init__(self, G, *, seed=0, n_images=16, class_names=None):
        if not callable(getattr(G, "sample_z", None)) or not hasattr(G, "num_classes"):
            raise TypeError(f"expected a conditional generator with num_classes and "
                            f"sample_z(n, generator=..., labels=...), got {type(G).__name__}")  # fmt: skip
        names = class_names or [str(k) for k in range(G.num_classes)]
        if len(names) != G.num_classes:
            raise ValueError(f"expected {G.num_classes} class names, got {len(names)}")
        self.label = widgets.ToggleButtons(options=[(n, k) for k, n in enumerate(names)], value=0,
                                           description="class", style={"button_width": "2.5em"})  # fmt: skip
        self.seed = widgets.IntText(value=seed, description="seed")
        self.n_images = n_images
        super().__init__(G, [self.label, self.seed], nrow=min(n_images, 8))
        self.render()

    def codes(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(z (n_images, z_dim), labels (n_images,)): the seed's codes, all of the chosen class."""
        generator = torch.Generator().manual_seed(self.seed.value)
        labels = torch.full((self.n_images,), self.label.value, dtype=torch.long)
        return self.G.sample_z(self.n_images, generator=generator, labels=labels)


def class_picker(G, *, seed=0, n_images=16, class_names=None) -> ClassPicker:
    """Pick a class and see a conditional G's images of it, with z held (see `ClassPicker`)."""
    return ClassPicker(G, seed=seed, n_images=n_images, class_names=class_names)


class CodeSliders(_Picture):
    """An InfoGAN generator's images as its codes move, each code with the others held.

    One slider picks the categorical code; one per continuous code moves it over [-2, 2] (it
    was trained on [-1, 1]: beyond that, extrapolation). Each of the n_images columns keeps its
    own noise z (from "seed"). For tests and scripts: set `category.value`,
    `continuous[k].value`, `seed.value`; `codes()` gives the latents.
    """

    def __init__(self, G, *, seed=0, n_images=8):
        if not all(hasattr(G, a) for a in ("join", "noise_dim", "categories", "continuous")):
            raise TypeError(f"expected an InfoGAN generator (with join, noise_dim, categories "
                            f"and continuous), got {type(G).__name__}")  # fmt: skip
        self.category = widgets.IntSlider(
            value=0, min=0, max=G.categories - 1, description="category"
        )
        self.continuous = [
            widgets.FloatSlider(value=0.0, min=-2.0, max=2.0, step=0.1, description=f"code {k + 1}")
            for k in range(G.continuous)
        ]
        self.seed = widgets.IntText(value=seed, description="seed")
        self.n_images = n_images
        super().__init__(G, [self.seed, self.category, *self.continuous], nrow=n_images)
        self.render()

    def codes(self) -> torch.Tensor:
        """The latents shown, (n_images, z_dim): the seed's noise with the sliders' codes."""
        device = next(self.G.parameters()).device
        generator = torch.Generator().manual_seed(self.seed.value)
        noise = torch.randn(self.n_images, self.G.noise_dim, generator=generator).to(device)
        cat = torch.full((self.n_images,), self.category.value, dtype=torch.long, device=device)
        cont = torch.tensor([[s.value for s in self.continuous]] * self.n_images, device=device)
        return self.G.join(noise, cat, cont)


def code_sliders(G, *, seed=0, n_images=8) -> CodeSliders:
    """Sliders for each of an InfoGAN generator's codes, the others held (see `CodeSliders`)."""
    return CodeSliders(G, seed=seed, n_images=n_images)
