"""Fair comparisons: several GAN configurations trained on the same data, seeds and budget.

A configuration is a dict of `train_gan` keyword arguments (the losses or steps, the number of
critic steps, learning rates), optionally with "models", a function seed -> (G, D) for one
that needs its own networks (a spectrally normalised D, say), and "seeds", its own seeds where
fewer runs of it will do. `compare` trains every configuration with every seed from the same
initial weights, measures each trained generator with the same function, and returns a
`Comparison` table:

    table = experiments.compare(
        {"minimax": dict(d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating),
         "WGAN-GP": dict(d_step=functools.partial(wgan.d_step, gp_weight=10),
                         g_loss=losses.g_loss_wasserstein, d_steps=5)},
        models=lambda seed: (MLPGenerator(), MLPDiscriminator()),
        data=grid.sample, measure=experiments.mixture_scores(grid), seeds=(0, 1, 2), steps=2000)
    print(table)  # one row per configuration: the mean over seeds of each number, and seconds

`jobs=os.cpu_count()` trains that many runs at once, in forked processes of one thread each: the
same table, about twice as fast on two cores (`benchmarks/compare_jobs.py`).

`mixture_scores(mixture)` measures 2-D generators (modes covered, high-quality fraction and
reverse KL, `metrics.mode_coverage`); `image_scores(real, classifier)` image generators (the
Fréchet distance and the classifier's confidence and class coverage, `metrics.evaluate`).
"""

import multiprocessing
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
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
        return "\n".join(lines) + f"\n({self._seeds_line()})"

    def _seeds_line(self) -> str:
        """'mean over seeds [0, 1, 2]', naming the configurations that ran other seeds."""
        seeds = {
            name: sorted(row["seed"] for row in self.rows if row["config"] == name)
            for name in self.names
        }
        usual = max(seeds.values(), key=list(seeds.values()).count)
        others = [f"{name}: {ran}" for name, ran in seeds.items() if ran != usual]
        return "; ".join([f"mean over seeds {usual}", *others])

    __repr__ = __str__


def compare(configs: dict[str, dict], *, models, data, measure, seeds=(0, 1, 2), steps, jobs=1,
            progress=True, **common) -> Comparison:  # fmt: skip
    """Train every configuration with every seed and measure it; returns a `Comparison`.

    Args:
        configs: {name: train_gan keyword arguments}, each optionally with "models" (its own
            seed -> (G, D)) and "seeds" (its own seeds, instead of `seeds`).
        models: seed -> (G, D), called after `torch.manual_seed(seed)`, so that for one seed
            every configuration starts from the same weights.
        data: what `train_gan` trains on (a sampler or a tensor of samples).
        measure: G -> {name: number}, e.g. `mixture_scores(mixture)`.
        seeds: the seeds; each run is seeded with it (`train_gan(seed=...)`).
        steps: generator steps of every run (the same budget for all).
        jobs: runs trained at once, each in a forked process on one CPU thread (small networks
            gain little from more threads, so two cores train two runs in about the time of
            one). Runs are sequential where processes cannot be forked (Windows) or once CUDA
            is in use; the results are the same either way.
        progress: a progress bar per run (sequential) or a line per finished run (parallel).
        common: `train_gan` keyword arguments shared by all runs (a configuration's own win).
    """
    if not configs:
        raise ValueError("expected at least one configuration, got none")
    if not seeds:
        raise ValueError("expected at least one seed, got none")
    if jobs < 1:
        raise ValueError(f"expected jobs >= 1, got {jobs}")
    for name, config in configs.items():
        if not isinstance(config, dict):
            raise TypeError(f"expected configuration {name!r} as a dict of train_gan arguments, "
                            f"got {type(config).__name__}")  # fmt: skip
        if "seeds" in config and not config["seeds"]:
            raise ValueError(f"expected at least one seed for configuration {name!r}, got none")
    runs = [(name, seed) for name, config in configs.items() for seed in config.get("seeds", seeds)]
    task = _Runs(configs, models, data, measure, steps, common)
    parallel = (
        jobs > 1
        and len(runs) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and not torch.cuda.is_initialized()
    )
    pool = _fork_pool(task, min(jobs, len(runs))) if parallel else None
    if pool is None:
        results = (task.run(name, seed, progress) for name, seed in runs)
    else:
        results = (task.trained(*run, *result, progress) for run, result in zip(runs, pool.map(_run_in_worker, runs)))  # fmt: skip
    table = Comparison()
    try:
        for (name, seed), (row, G) in zip(runs, results):
            table.rows.append(row)
            table.generators[name, seed] = G
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
            _inherit(None)
    return table


def _fork_pool(task, processes):
    """Forked workers that inherit `task`, or None where processes cannot start. A worker that
    dies (killed for memory, say) raises `BrokenProcessPool` here instead of hanging."""
    _inherit(task)  # before forking: nothing then needs pickling but the results
    try:
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    except OSError as error:  # no processes or semaphores allowed here (a sandbox, say)
        warnings.warn(f"experiments.compare: cannot start {processes} processes ({error}); "
                      "training the runs one after another", stacklevel=3)  # fmt: skip
        return None


@dataclass
class _Runs:
    """What `compare` runs: one (configuration, seed) at a time, here or in a worker."""

    configs: dict
    models: object
    data: object
    measure: object
    steps: int
    common: dict

    def pair(self, name, seed):
        torch.manual_seed(seed)
        return self.configs[name].get("models", self.models)(seed)

    def generator(self, name, seed):
        return self.pair(name, seed)[0]

    def trained(self, name, seed, row, weights, progress=False):
        """The row and generator of a run trained in a worker, from its weights."""
        G = self.generator(name, seed)
        G.load_state_dict(weights)
        if progress:
            print(f"{name}, seed {seed}: trained in {row['seconds']:.0f} s", flush=True)
        return row, G

    def run(self, name, seed, progress=False):
        config = {k: v for k, v in self.configs[name].items() if k not in ("models", "seeds")}
        G, D = self.pair(name, seed)
        start = time.perf_counter()
        training.train_gan(G, D, self.data, steps=self.steps, seed=seed, progress=progress,
                           desc=f"{name}, seed {seed}", **{**self.common, **config})  # fmt: skip
        seconds = time.perf_counter() - start
        return {"config": name, "seed": seed, **self.measure(G), "seconds": seconds}, G


_INHERITED: _Runs | None = None  # what forked workers run


def _inherit(task: _Runs | None) -> None:
    global _INHERITED
    _INHERITED = task


def _run_in_worker(run):
    torch.set_num_threads(1)
    row, G = _INHERITED.run(*run)
    return row, {key: value.cpu() for key, value in G.state_dict().items()}


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
