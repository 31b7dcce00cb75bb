import random

import numpy as np
import pytest
import torch

from gankit.data import mixture_1d, ring
from gankit.losses import d_loss_bce, g_loss_nonsaturating, g_loss_saturating
from gankit.metrics import mode_coverage
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import (
    History,
    d_step,
    g_step,
    load_checkpoint,
    save_checkpoint,
    seed_everything,
    train_gan,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Run this module's tiny networks on one CPU thread, then restore the setting.

    At these widths two threads only add synchronisation; on a busy 2-core machine they made
    the learning test ten times slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_pair(seed=0, hidden=16):
    torch.manual_seed(seed)
    return MLPGenerator(hidden=hidden, depth=2), MLPDiscriminator(hidden=hidden, depth=2)


def copy_of(module):
    return [p.detach().clone() for p in module.parameters()]


def unchanged(module, before):
    return all(torch.equal(p, q) for p, q in zip(module.parameters(), before, strict=True))


def test_seed_everything_seeds_every_rng_and_returns_a_seeded_generator():
    def draw(seed):
        generator = seed_everything(seed)
        return (
            torch.randn(3, generator=generator),
            torch.randn(3),
            np.random.rand(),
            random.random(),
        )

    a, b = draw(5), draw(5)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and a[2:] == b[2:]
    assert not torch.equal(a[0], draw(6)[0])


def test_d_step_updates_only_d():
    G, D = tiny_pair()
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3)
    g_before, d_before = copy_of(G), copy_of(D)
    loss = d_step(G, D, opt_d, real=torch.randn(8, 2), z=G.sample_z(8), d_loss=d_loss_bce)
    assert isinstance(loss, float)
    assert unchanged(G, g_before) and not unchanged(D, d_before)
    assert all(p.grad is None for p in G.parameters())  # detach(): no gradient reached G


def test_g_step_updates_only_g_and_reports_the_gradient_norm():
    G, D = tiny_pair()
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
    g_before, d_before = copy_of(G), copy_of(D)
    z = G.sample_z(8)
    loss, grad_norm = g_step(G, D, opt_g, z, g_loss_nonsaturating)
    expected = torch.sqrt(sum((p.grad**2).sum() for p in G.parameters())).item()
    assert isinstance(loss, float)
    assert grad_norm == pytest.approx(expected)
    assert unchanged(D, d_before) and not unchanged(G, g_before)


def test_history_round_trips_through_a_dict():
    history = History()
    history.append(step=0, d_loss=1.0, g_loss=2.0, g_grad=0.5)
    assert len(history) == 1
    assert History.from_dict(history.as_dict()) == history
    assert history.as_dict() == {"step": [0], "d_loss": [1.0], "g_loss": [2.0], "g_grad": [0.5]}


def test_train_gan_logs_every_log_every_steps():
    G, D = tiny_pair()
    history = train_gan(
        G,
        D,
        ring().sample,
        d_loss=d_loss_bce,
        g_loss=g_loss_saturating,
        steps=25,
        batch_size=16,
        log_every=10,
        d_steps=2,
        progress=False,
    )
    assert history.step == [0, 10, 20]
    assert all(len(values) == 3 for values in history.as_dict().values())


def test_train_gan_draws_rows_of_a_tensor_data_set():
    G, D = tiny_pair()
    data = ring().sample(100, generator=torch.Generator().manual_seed(0))
    history = train_gan(
        G,
        D,
        data,
        d_loss=d_loss_bce,
        g_loss=g_loss_nonsaturating,
        steps=5,
        batch_size=16,
        log_every=1,
        progress=False,
    )
    assert len(history) == 5


def test_training_learns_a_two_mode_mixture():
    """A real run: the untrained G lands between the modes; after 500 steps it covers both.

    Checked on 8 seeds: every one finds both modes with at least 88% high-quality samples.
    """
    mixture = mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5))
    torch.manual_seed(1)
    G = MLPGenerator(z_dim=4, out_dim=1, hidden=64, depth=2)
    D = MLPDiscriminator(in_dim=1, hidden=64, depth=2)
    z = G.sample_z(1000, generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        before = mode_coverage(G(z), mixture)
    history = train_gan(
        G,
        D,
        mixture.sample,
        d_loss=d_loss_bce,
        g_loss=g_loss_nonsaturating,
        steps=500,
        batch_size=128,
        lr=1e-3,
        seed=1,
        progress=False,
    )
    with torch.no_grad():
        after = mode_coverage(G(z), mixture)
    assert before["hq"] < 0.1, before
    assert after["modes"] == 2, after
    assert after["hq"] > 0.7, after
    assert after["kl"] < 0.2, after
    assert len(history) == 50


def run(G, D, path, steps, data=None, lr_decay=0.0):
    data = data if data is not None else ring(n_modes=4, std=0.1).sample
    return train_gan(
        G,
        D,
        data,
        d_loss=d_loss_bce,
        g_loss=g_loss_nonsaturating,
        steps=steps,
        batch_size=32,
        lr=1e-3,
        lr_decay=lr_decay,
        seed=7,
        checkpoint=path,
        checkpoint_every=20,
        log_every=5,
        progress=False,
    )


def assert_same_weights(a, b):
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert torch.equal(p, q), f"parameter {name} differs"


def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(tmp_path):
    G_straight, D_straight = tiny_pair()
    straight = run(G_straight, D_straight, None, steps=60)

    G, D = tiny_pair()
    run(G, D, tmp_path / "ckpt.pt", steps=40)
    G, D = tiny_pair(seed=99)  # fresh networks: everything must come from the checkpoint
    resumed = run(G, D, tmp_path / "ckpt.pt", steps=60)

    assert_same_weights(G, G_straight)
    assert_same_weights(D, D_straight)
    assert resumed == straight


@pytest.mark.parametrize("lr_decay", [0.0, 0.5])
def test_run_interrupted_mid_way_resumes_from_its_last_checkpoint(tmp_path, lr_decay):
    G_straight, D_straight = tiny_pair()
    straight = run(G_straight, D_straight, None, steps=60, lr_decay=lr_decay)

    sample = ring(n_modes=4, std=0.1).sample
    calls = []

    def crashing_sampler(n, generator):
        calls.append(n)
        if len(calls) == 46:  # during step 45; the last checkpoint was written after step 39
            raise KeyboardInterrupt
        return sample(n, generator=generator)

    G, D = tiny_pair()
    with pytest.raises(KeyboardInterrupt):
        run(G, D, tmp_path / "ckpt.pt", steps=60, data=crashing_sampler, lr_decay=lr_decay)
    assert load_checkpoint(tmp_path / "ckpt.pt", G=G, D=D)["step"] == 40

    G, D = tiny_pair(seed=99)
    resumed = run(G, D, tmp_path / "ckpt.pt", steps=60, lr_decay=lr_decay)
    assert_same_weights(G, G_straight)
    assert_same_weights(D, D_straight)
    assert resumed == straight
    assert list(tmp_path.iterdir()) == [tmp_path / "ckpt.pt"]  # no temporary files left over


def test_checkpoint_round_trip_returns_extra_fields(tmp_path):
    G, D = tiny_pair()
    opt_g = torch.optim.Adam(G.parameters())
    save_checkpoint(tmp_path / "c.pt", G=G, D=D, opt_g=opt_g, step=3, note="hello")
    G2, D2 = tiny_pair(seed=1)
    extra = load_checkpoint(tmp_path / "c.pt", G=G2, D=D2, opt_g=torch.optim.Adam(G2.parameters()))
    assert extra == {"step": 3, "note": "hello"}
    assert_same_weights(G, G2)
    with pytest.raises(ValueError, match="has no opt_d state"):
        load_checkpoint(tmp_path / "c.pt", G=G2, D=D2, opt_d=torch.optim.Adam(D2.parameters()))


def test_loading_into_a_different_width_names_the_parameter_and_shapes(tmp_path):
    G, D = tiny_pair(hidden=16)
    save_checkpoint(tmp_path / "ckpt.pt", G=G, D=D)
    wider = MLPGenerator(hidden=32, depth=2)
    with pytest.raises(ValueError) as error:
        load_checkpoint(tmp_path / "ckpt.pt", G=wider, D=D)
    message = str(error.value)
    assert "ckpt.pt" in message
    assert "MLPGenerator(z_dim=2, out_dim=2, hidden=16, depth=2)" in message
    assert "net.0.weight of shape (16, 2)" in message
    assert "has (32, 2)" in message


def test_loading_into_another_model_class_says_so(tmp_path):
    G, D = tiny_pair()
    save_checkpoint(tmp_path / "ckpt.pt", G=G, D=D)
    with pytest.raises(
        ValueError, match="saved from MLPGenerator.*cannot be loaded into MLPDiscriminator"
    ):
        load_checkpoint(tmp_path / "ckpt.pt", G=D, D=D)


def test_missing_checkpoint_raises_file_not_found(tmp_path):
    G, D = tiny_pair()
    with pytest.raises(FileNotFoundError, match="nothing.pt"):
        load_checkpoint(tmp_path / "nothing.pt", G=G, D=D)


@pytest.mark.parametrize("cut", [True, False], ids=["truncated", "garbage"])
def test_corrupt_checkpoint_raises_value_error(tmp_path, cut):
    G, D = tiny_pair()
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, G=G, D=D)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2] if cut else b"not a checkpoint at all")
    with pytest.raises(ValueError, match="it is corrupt or not a gankit checkpoint"):
        load_checkpoint(path, G=G, D=D)


def test_a_plain_torch_file_is_not_a_gankit_checkpoint(tmp_path):
    G, D = tiny_pair()
    torch.save(G.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(ValueError, match="not a gankit checkpoint"):
        load_checkpoint(tmp_path / "weights.pt", G=G, D=D)


def test_bad_training_arguments_raise(tmp_path):
    G, D = tiny_pair()
    with pytest.raises(ValueError, match="expected d_steps >= 1, got 0"):
        train_gan(
            G,
            D,
            ring().sample,
            d_loss=d_loss_bce,
            g_loss=g_loss_nonsaturating,
            steps=1,
            d_steps=0,
            progress=False,
        )


def test_train_gan_refuses_to_resume_from_a_bare_checkpoint(tmp_path):
    G, D = tiny_pair()
    save_checkpoint(
        tmp_path / "ckpt.pt",
        G=G,
        D=D,
        opt_g=torch.optim.Adam(G.parameters()),
        opt_d=torch.optim.Adam(D.parameters()),
    )
    with pytest.raises(ValueError, match="not written by train_gan"):
        run(G, D, tmp_path / "ckpt.pt", steps=5)


def test_lr_decay_anneals_the_updates_to_nothing():
    """Adam moves each weight by about lr per step, so the step size shows the schedule."""
    sample = ring(n_modes=4, std=0.1).sample

    def step_sizes(lr_decay):
        G, D = tiny_pair()
        snapshots = []

        def watching_sampler(n, generator):  # called once per step, before the D update
            snapshots.append(torch.cat([p.detach().flatten().clone() for p in G.parameters()]))
            return sample(n, generator=generator)

        run(G, D, None, steps=40, data=watching_sampler, lr_decay=lr_decay)
        return [(b - a).abs().mean().item() for a, b in zip(snapshots, snapshots[1:])]

    constant, annealed = step_sizes(0.0), step_sizes(1.0)
    assert constant[-1] > 0.3 * constant[1]
    assert annealed[-1] < 0.15 * annealed[1]
