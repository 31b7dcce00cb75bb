import functools
import os
from concurrent.futures.process import BrokenProcessPool

import pytest
import torch

from gankit import data, experiments, features, losses
from gankit.models import MLPDiscriminator, MLPGenerator, MLPImageGenerator, wgan


def small_pair(seed):
    return MLPGenerator(z_dim=2, hidden=16), MLPDiscriminator(in_dim=2, hidden=16)


CONFIGS = {
    "minimax": dict(d_loss=losses.d_loss_bce, g_loss=losses.g_loss_nonsaturating),
    "WGAN-GP": dict(
        d_step=functools.partial(wgan.d_step, gp_weight=1.0),
        g_loss=losses.g_loss_wasserstein,
        d_steps=2,
    ),
}


def test_compare_trains_every_configuration_with_every_seed_and_averages():
    ring = data.ring()
    table = experiments.compare(
        CONFIGS,
        models=small_pair,
        data=ring.sample,
        measure=experiments.mixture_scores(ring),
        seeds=(0, 1),
        steps=3,
        batch_size=16,
        progress=False,
    )
    assert [(row["config"], row["seed"]) for row in table.rows] == [
        ("minimax", 0),
        ("minimax", 1),
        ("WGAN-GP", 0),
        ("WGAN-GP", 1),
    ]
    assert set(table.rows[0]) == {"config", "seed", "modes", "hq", "kl", "seconds"}
    summary = table.summary()
    assert [row["config"] for row in summary] == ["minimax", "WGAN-GP"]
    for row in summary:
        runs = [r for r in table.rows if r["config"] == row["config"]]
        assert row["seeds"] == 2
        assert row["hq"] == pytest.approx((runs[0]["hq"] + runs[1]["hq"]) / 2)
        assert row["seconds"] > 0
    assert table["WGAN-GP"] == summary[1]
    assert isinstance(table.generators["WGAN-GP", 1], MLPGenerator)
    text = str(table)
    assert "WGAN-GP" in text and "modes" in text and "[0, 1]" in text
    with pytest.raises(KeyError, match="no configuration 'hinge'"):
        table["hinge"]


def test_a_configuration_with_its_own_seeds_runs_only_those():
    ring = data.ring()
    configs = {"minimax": CONFIGS["minimax"], "WGAN-GP": {**CONFIGS["WGAN-GP"], "seeds": (1,)}}
    table = experiments.compare(configs, models=small_pair, data=ring.sample, measure=experiments.mixture_scores(ring),
                                seeds=(0, 1), steps=2, batch_size=16, progress=False)  # fmt: skip
    assert [(row["config"], row["seed"]) for row in table.rows] == [
        ("minimax", 0),
        ("minimax", 1),
        ("WGAN-GP", 1),
    ]
    assert [row["seeds"] for row in table.summary()] == [2, 1]
    assert table["WGAN-GP"]["hq"] == table.rows[2]["hq"]
    assert str(table).endswith("(mean over seeds [0, 1]; WGAN-GP: [1])")


def test_compare_starts_every_configuration_from_the_same_weights_for_a_seed():
    ring = data.ring()
    # With no training, two configurations measure the same generator for each seed ...
    table = experiments.compare(
        CONFIGS,
        models=small_pair,
        data=ring.sample,
        measure=experiments.mixture_scores(ring),
        seeds=(0, 1),
        steps=0,
        progress=False,
    )
    first, second = table.generators["minimax", 0], table.generators["WGAN-GP", 0]
    assert all(
        torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True)
    )
    # ... and different ones for different seeds.
    other = table.generators["minimax", 1]
    assert not torch.equal(next(first.parameters()), next(other.parameters()))


def test_a_configuration_can_bring_its_own_models_and_override_common_arguments():
    ring = data.ring()
    built, batches = [], []

    def spectral(seed):
        built.append(seed)
        G, D = small_pair(seed)
        return G, wgan.spectral_norm(D)

    def hinge_step(G, D, opt_d, real, z):
        batches.append(len(real))
        return wgan.d_step(G, D, opt_d, real, z, d_loss=losses.d_loss_hinge)

    configs = {
        "SN": dict(d_step=hinge_step, g_loss=losses.g_loss_hinge, models=spectral, batch_size=8)
    }
    table = experiments.compare(
        configs,
        models=small_pair,
        data=ring.sample,
        measure=experiments.mixture_scores(ring),
        seeds=(3,),
        steps=2,
        batch_size=32,
        progress=False,
    )
    assert built == [3]
    assert batches == [8, 8]  # the configuration's batch size won over the common one
    assert table.rows[0]["config"] == "SN"


def test_parallel_runs_give_the_same_table_and_generators_as_sequential_ones():
    ring = data.ring()
    scores = experiments.mixture_scores(ring)
    configs = CONFIGS | {  # a lambda cannot be pickled: forked workers need not pickle it
        "hinge": dict(
            d_step=lambda G, D, opt, real, z: wgan.d_step(
                G, D, opt, real, z, d_loss=losses.d_loss_hinge
            ),
            g_loss=losses.g_loss_hinge,
        )
    }
    kwargs = dict(models=small_pair, data=ring.sample, seeds=(0, 1), steps=20, batch_size=16,
                  progress=False, measure=lambda G: {**scores(G), "pid": os.getpid()})  # fmt: skip
    one = experiments.compare(configs, **kwargs)
    two = experiments.compare(configs, jobs=2, **kwargs)
    assert {row["pid"] for row in one.rows} == {os.getpid()}
    assert os.getpid() not in {row["pid"] for row in two.rows}
    drop = lambda row: {k: v for k, v in row.items() if k not in ("seconds", "pid")}
    assert [drop(row) for row in two.rows] == [drop(row) for row in one.rows]
    for run, G in one.generators.items():
        assert all(
            torch.equal(a, b)
            for a, b in zip(G.parameters(), two.generators[run].parameters(), strict=True)
        )
    first = lambda run: next(one.generators[run].parameters())
    assert not torch.equal(first(("minimax", 0)), first(("hinge", 0)))  # training changed them


def test_where_processes_cannot_start_the_runs_go_one_after_another(monkeypatch):
    def no_processes(*args, **kwargs):
        raise PermissionError("operation not permitted")

    monkeypatch.setattr(experiments, "ProcessPoolExecutor", no_processes)
    ring = data.ring()
    with pytest.warns(UserWarning, match="cannot start 2 processes .*one after another"):
        table = experiments.compare(CONFIGS, models=small_pair, data=ring.sample, seeds=(0,),
                                    measure=experiments.mixture_scores(ring), steps=2, jobs=2,
                                    batch_size=16, progress=False)  # fmt: skip
    assert [row["config"] for row in table.rows] == ["minimax", "WGAN-GP"]


def test_a_worker_that_dies_raises_instead_of_hanging():
    def killed(*args):  # as the system's out-of-memory killer would
        os._exit(1)

    ring = data.ring()
    with pytest.raises(BrokenProcessPool):
        experiments.compare({"killed": dict(d_step=killed, g_loss=losses.g_loss_hinge)}, models=small_pair,
                            data=ring.sample, measure=experiments.mixture_scores(ring), seeds=(0, 1),
                            steps=2, jobs=2, progress=False)  # fmt: skip


def test_compare_rejects_empty_or_malformed_configurations():
    ring = data.ring()
    kwargs = dict(
        models=small_pair, data=ring.sample, measure=experiments.mixture_scores(ring), steps=1
    )
    with pytest.raises(ValueError, match="expected at least one configuration"):
        experiments.compare({}, **kwargs)
    with pytest.raises(ValueError, match="expected at least one seed"):
        experiments.compare(CONFIGS, seeds=(), **kwargs)
    with pytest.raises(ValueError, match="expected at least one seed for configuration 'WGAN-GP'"):
        experiments.compare({"WGAN-GP": {**CONFIGS["WGAN-GP"], "seeds": []}}, **kwargs)
    with pytest.raises(ValueError, match="expected jobs >= 1, got 0"):
        experiments.compare(CONFIGS, jobs=0, **kwargs)
    with pytest.raises(
        TypeError,
        match="expected configuration 'minimax' as a dict of train_gan arguments, got str",
    ):
        experiments.compare({"minimax": "bce"}, **kwargs)


def test_mixture_scores_count_the_modes_a_generator_covers():
    ring = data.ring()

    class Perfect(torch.nn.Module):  # draws from the mixture itself
        def sample_z(self, n, generator=None):
            return ring.sample(n, generator=generator)

        def forward(self, z):
            return z

    scores = experiments.mixture_scores(ring)(Perfect())
    assert scores["modes"] == 8 and scores["hq"] > 0.99 and scores["kl"] < 0.01


def test_image_scores_measure_images_with_the_classifier():
    images = data.load_images("digits", size=28)[0]
    G = MLPImageGenerator(z_dim=8, hidden=16)
    scores = experiments.image_scores(images, features.classifier("digits"), n=200)(G)
    assert set(scores) == {"fd", "confidence", "min_class_fraction"}
    assert scores["fd"] > 10  # an untrained generator is far from the digits
