"""Fair comparisons: several GAN configurations trained on the same data, seeds and budget.

A configuration is a dict of `train_gan` keyword arguments (the losses or steps, the number of
critic steps, learning rates), optionally with "models", a function seed -> (G, D) for one
that needs its own networks (a spectrally normalised D, say). `compare` trains every
configuration with every seed from the same initial weights, measures each trained generator
with the same function, and returns a `Comparison` table:

    table = experiments.compare(
        {"minimax": dict(d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating),
         "WGAN-GP": dict(d_step=functools.partial(wgan.d_step, gp_weight=10),
                         g_loss=losses.g_loss_wasserstein, d_steps=5)},
        models=lambda seed: (MLPGenerator(), MLPDiscriminator()),
        data=grid.sample, measure=experiments.mixture_scores(grid), seeds=(0, 1, 2), steps=2000)
    print(table)  # one row per configuration: the mean over seeds of each number, and seconds

`mixture_scores(mixture)` measures 2-D generators (modes covered, high-quality fraction and
reverse KL, `metrics.mode_coverage`); `image_scores(real, classifier)` image generators (the
Fréchet distance and the classifier's confidence and class coverage, `metrics.evaluate`).
"""

import time
from dataclasses import dataclass, field

import torch

from gankit import metrics, training
from gankit.data import GaussianMixture


@dataclass
class Comparison:
    """The results of `compare`: one row per (configuration, seed), and the trained generators."""

    rows: list[dict] = field(default_factory=list)
    generators: dict = field(default_factory=dict)  # (name, seed) -> G

    def summary(self) -> list[dict]:
        """One row per configuration, in the order given: the mean over seeds of every number."""
        table = []
        for name in self.names:
            runs = [row for row in self.rows if row["config"] == name]
            numbers = [key for key in runs[0] if key not in ("config", "seed")]
            mean = {key: sum(run[key] for run in runs) / len(runs) for key in numbers}
            table.append({"config": name, "seeds": len(runs), **mean})
        return table

    def __getitem__(self, name: str) -> dict:
        """The summary row of configuration `name`."""
        for row in self.summary():
            if row["config"] == name:
                return row
        raise KeyError(f"no configuration {name!r}; expected one of {self.names}")

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(row["config"] for row in self.rows))

    def __str__(self) -> str:
        summary = self.summary()
        if not summary:
            return "(no runs)"
        columns = list(summary[0])
        cells = [[_fmt(row[c]) for c in columns] for row in summary]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        seeds = sorted({row["seed"] for row in self.rows})
        return "\n".join(lines) + f"\n(mean over seeds {seeds})"

    __repr__ = __str__


def compare(configs: dict[str, dict], *, models, data, measure, seeds=(0, 1, 2), steps,
            progress=True, **common) -> Comparison:  # fmt: skip
    """Train every configuration with every seed and measure it; returns a `Comparison`.

    Args:
        configs: {name: train_gan keyword arguments}, each optionally with "models".
        models: seed -> (G, D), called after `torch.manual_seed(seed)`, so that for one seed
            every configuration starts from the same weights.
        data: what `train_gan` trains on (a sampler or a tensor of samples).
        measure: G -> {name: number}, e.g. `mixture_scores(mixture)`.
        seeds: the seeds; each run is seeded with it (`train_gan(seed=...)`).
        steps: generator steps of every run (the same budget for all).
        common: `train_gan` keyword arguments shared by all runs (a configuration's own win).
    """
    if not configs:
        raise ValueError("expected at least one configuration, got none")
    if not seeds:
        raise ValueError("expected at least one seed, got none")
    for name, config in configs.items():
        if not isinstance(config, dict):
            raise TypeError(f"expected configuration {name!r} as a dict of train_gan arguments, "
                            f"got {type(config).__name__}")  # fmt: skip
    table = Comparison()
    for name, config in configs.items():
        config = dict(config)
        make = config.pop("models", models)
        for seed in seeds:
            torch.manual_seed(seed)
            G, D = make(seed)
            start = time.perf_counter()
            training.train_gan(G, D, data, steps=steps, seed=seed, progress=progress,
                               desc=f"{name}, seed {seed}", **{**common, **config})  # fmt: skip
            seconds = time.perf_counter() - start
            scores = measure(G)
            table.rows.append({"config": name, "seed": seed, **scores, "seconds": seconds})
            table.generators[name, seed] = G
    return table


def mixture_scores(mixture: GaussianMixture, *, n=2500, seed=100):
    """A `measure` for 2-D generators: modes covered, high-quality fraction, reverse KL.

    n samples from codes drawn with `seed` (the same codes for every run); see
    `metrics.mode_coverage` for the protocol.
    """

    def measure(G) -> dict:
        samples = training.generate(G, G.sample_z(n, generator=torch.Generator().manual_seed(seed)))
        result = metrics.mode_coverage(samples, mixture)
        return {"modes": result["modes"], "hq": result["hq"], "kl": result["kl"]}

    return measure


def image_scores(real, classifier, *, n=2000, seed=1):
    """A `measure` for image generators: Fréchet distance, confidence, smallest class fraction.

    The features and class probabilities are the `classifier`'s (`features.classifier()`).
    """

    def measure(G) -> dict:
        fakes = training.generate(G, G.sample_z(n, generator=torch.Generator().manual_seed(seed)))
        scores = metrics.evaluate(fakes, real, classifier)
        return {k: scores[k] for k in ("fd", "confidence", "min_class_fraction")}

    return measure


def _fmt(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
