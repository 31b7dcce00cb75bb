import math
import random

import numpy as np
import pytest
import torch

from gankit.data import mixture_1d, ring
from gankit.losses import d_loss_bce, g_loss_nonsaturating, g_loss_saturating
from gankit.metrics import mode_coverage
from gankit.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from gankit.training import (
    History,
    d_step,
    ema_generator,
    g_step,
    generate,
    load_checkpoint,
    prepare,
    save_checkpoint,
    seed_everything,
    train_gan,
)


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


# Custom steps, EMA, samples over time, live figure, image GANs.


def test_custom_steps_replace_the_default_ones():
    G, D = tiny_pair()
    calls = {"d": 0, "g": 0}

    def my_d_step(G_, D_, opt_d, real, z):
        assert G_ is G and D_ is D and isinstance(opt_d, torch.optim.Adam)
        assert real.shape == (16, 2) and z.shape == (16, 2)
        calls["d"] += 1
        return d_step(G_, D_, opt_d, real, z, d_loss_bce)

    def my_g_step(G_, D_, opt_g, z):
        calls["g"] += 1
        return torch.tensor(0.5 + calls["g"])  # a tensor loss, without a gradient norm

    history = train_gan(
        G, D, ring().sample, d_step=my_d_step, g_step=my_g_step, steps=6, d_steps=2,
        batch_size=16, log_every=2, progress=False,
    )  # fmt: skip
    assert calls == {"d": 12, "g": 6}
    assert history.step == [0, 2, 4]
    assert history.g_loss == [1.5, 3.5, 5.5]
    assert all(math.isnan(value) for value in history.g_grad)
    assert all(isinstance(value, float) for value in history.d_loss)


def test_custom_g_step_may_report_its_gradient_norm():
    G, D = tiny_pair()
    history = train_gan(
        G, D, ring().sample, d_loss=d_loss_bce, g_step=lambda G, D, opt, z: (1.0, 0.25),
        steps=3, batch_size=8, log_every=1, progress=False,
    )  # fmt: skip
    assert history.g_loss == [1.0] * 3 and history.g_grad == [0.25] * 3


def test_default_steps_run_when_custom_steps_are_not_given():
    """Passing the library's own steps as custom steps reproduces the default run exactly."""
    G_a, D_a = tiny_pair()
    default = train_gan(
        G_a, D_a, ring().sample, d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=10,
        batch_size=16, log_every=1, progress=False,
    )  # fmt: skip
    G_b, D_b = tiny_pair()
    custom = train_gan(
        G_b, D_b, ring().sample, steps=10, batch_size=16, log_every=1, progress=False,
        d_step=lambda G, D, opt, real, z: d_step(G, D, opt, real, z, d_loss_bce),
        g_step=lambda G, D, opt, z: g_step(G, D, opt, z, g_loss_nonsaturating),
    )  # fmt: skip
    assert custom == default
    assert_same_weights(G_a, G_b)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"g_loss": g_loss_nonsaturating}, "expected either d_loss .* or your own d_step, got neither"),
        (
            {"d_loss": d_loss_bce, "g_loss": g_loss_nonsaturating, "g_step": lambda *a: 0.0},
            "expected either g_loss .* or your own g_step, got both",
        ),
        ({"d_loss": d_loss_bce, "g_loss": g_loss_nonsaturating, "samples_z": torch.zeros(4, 2)},
         "samples_z is only used with sample_every"),
        ({"d_loss": d_loss_bce, "g_loss": g_loss_nonsaturating, "sample_every": 0},
         "expected sample_every >= 1, got 0"),
    ],
)  # fmt: skip
def test_train_gan_says_which_steps_or_sampling_arguments_are_wrong(arguments, message):
    G, D = tiny_pair()
    with pytest.raises(ValueError, match=message):
        train_gan(G, D, ring().sample, steps=1, progress=False, **arguments)


class Counter(torch.nn.Module):
    """A toy generator with one weight w; a custom G step adds 1 to w, so w_k = k."""

    z_dim = 1

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))

    def sample_z(self, n, generator=None):
        return torch.randn(n, 1, generator=generator)

    def forward(self, z):
        return z + self.w


def test_ema_equals_the_exponential_moving_average_of_g():
    G, D = Counter(), torch.nn.Linear(1, 1)
    ema = ema_generator(G, decay=0.9)

    def count(G, D, opt_g, z):
        with torch.no_grad():
            G.w += 1
        return 0.0

    train_gan(
        G, D, torch.zeros(10, 1), d_loss=d_loss_bce, g_step=count, steps=20, batch_size=4,
        ema=ema, progress=False,
    )  # fmt: skip
    expected = 1.0  # the first update copies G: w_1 = 1
    for k in range(2, 21):
        expected = 0.9 * expected + 0.1 * k  # w_EMA <- decay * w_EMA + (1 - decay) * w_k
    assert G.w.item() == 20
    assert ema.module.w.item() == pytest.approx(expected, rel=1e-6)
    assert ema.n_averaged.item() == 20


def test_ema_generator_rejects_a_decay_outside_its_range():
    with pytest.raises(ValueError, match=r"expected decay in \[0, 1\), got 1.5"):
        ema_generator(MLPGenerator(hidden=8), decay=1.5)


pattern = -torch.ones(1, 28, 28)
pattern[:, :, :14] = 1  # bright left half, dark right half


def simple_images(n=256):
    noise = torch.randn(n, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    return (pattern + 0.1 * noise).clamp(-1, 1)  # (n, 1, 28, 28)


def tiny_dcgan(seed=0, width=8):
    torch.manual_seed(seed)
    return DCGANGenerator(z_dim=8, size=28, width=width), DCGANDiscriminator(size=28, width=width)


def test_a_tiny_dcgan_learns_a_simple_image():
    """60 steps on noisy copies of one pattern: G's images move towards it (checked on 6 seeds)."""
    G, D = tiny_dcgan()
    ema = ema_generator(G, decay=0.9)
    z = G.sample_z(64, generator=torch.Generator().manual_seed(1))
    before = ((generate(G, z) - pattern) ** 2).mean().item()
    history = train_gan(
        G, D, simple_images(), d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=60,
        batch_size=32, lr=2e-3, log_every=5, ema=ema, progress=False,
    )  # fmt: skip
    images = generate(G, z)
    after = ((images - pattern) ** 2).mean().item()
    assert before > 0.99 and after < 0.75, (before, after)  # untrained G outputs about 0
    assert (images[..., :14].mean() - images[..., 14:].mean()).item() > 0.25
    assert all(math.isfinite(value) for value in history.d_loss + history.g_loss + history.g_grad)
    ema_weights = torch.cat([p.flatten() for p in ema.module.parameters()])
    g_weights = torch.cat([p.flatten() for p in G.parameters()])
    assert not torch.allclose(ema_weights, g_weights)  # the EMA lags behind G
    for ema_buffer, g_buffer in zip(ema.module.buffers(), G.buffers(), strict=True):
        assert torch.equal(ema_buffer, g_buffer)  # BatchNorm statistics: copied, not averaged


def test_sample_every_stores_the_ema_images_of_fixed_codes():
    G, D = tiny_dcgan(width=4)
    ema = ema_generator(G)
    history = train_gan(
        G, D, simple_images(64), d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=20,
        batch_size=8, ema=ema, sample_every=10, progress=False,
    )  # fmt: skip
    assert [step for step, _ in history.samples] == [0, 10, 20]
    for _, images in history.samples:
        assert images.shape == (64, 1, 28, 28) and images.device.type == "cpu"
        assert images.abs().max() <= 1
    z = G.sample_z(64, generator=torch.Generator().manual_seed(0))  # the default codes
    assert torch.equal(history.samples[-1][1], generate(ema.module, z))
    assert not torch.allclose(history.samples[-1][1], generate(G, z))
    assert not torch.equal(history.samples[0][1], history.samples[-1][1])
    assert "samples" not in history.as_dict()


def test_samples_z_chooses_the_codes_and_g_is_sampled_without_an_ema():
    G, D = tiny_dcgan(width=4)
    z = torch.randn(5, 8)
    history = train_gan(
        G, D, simple_images(64), d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=4,
        batch_size=8, sample_every=2, samples_z=z, progress=False,
    )  # fmt: skip
    assert [step for step, _ in history.samples] == [0, 2, 4]
    assert torch.equal(history.samples[-1][1], generate(G, z))
    assert G.training  # sampling left G in training mode


def test_live_figure_is_a_no_op_outside_a_notebook(capsys):
    G, D = tiny_pair()
    history = train_gan(
        G, D, ring().sample, d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=5,
        batch_size=8, live=True, live_every=1, progress=False,
    )  # fmt: skip
    assert len(history) == 1
    assert capsys.readouterr().out == ""


def test_live_figure_updates_one_display_in_a_notebook(monkeypatch):
    import IPython.display

    from gankit import viz

    shown = []

    class Handle:
        def update(self, image):
            shown.append(image.data)

    def display(image, display_id=False):
        assert display_id is True
        shown.append(image.data)
        return Handle()

    monkeypatch.setattr(viz, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    G, D = tiny_dcgan(width=4)
    train_gan(
        G, D, simple_images(64), d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=6,
        batch_size=8, sample_every=3, live=True, live_every=2, log_every=1, progress=False,
    )  # fmt: skip
    assert len(shown) == 3  # after steps 2, 4 and 6: one display, then two updates
    assert all(png.startswith(b"\x89PNG") for png in shown)
    assert shown[0] != shown[-1]


def dcgan_run(G, D, ema, path, steps, data):
    return train_gan(
        G, D, data, d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=steps, batch_size=8,
        seed=3, checkpoint=path, checkpoint_every=10, log_every=2, ema=ema, sample_every=5,
        progress=False,
    )  # fmt: skip


def assert_same_state(a, b):
    for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(p, q), f"{name} differs"


def test_interrupted_dcgan_run_resumes_to_identical_weights_ema_and_samples(tmp_path):
    pool = simple_images(64)

    def images(n, generator):
        return pool[torch.randint(len(pool), (n,), generator=generator)]

    G_straight, D_straight = tiny_dcgan(width=4)
    ema_straight = ema_generator(G_straight, decay=0.8)
    straight = dcgan_run(G_straight, D_straight, ema_straight, None, 30, images)

    calls = []

    def crashing_images(n, generator):
        calls.append(n)
        if len(calls) == 26:  # during step 25; the last checkpoint was written after step 19
            raise KeyboardInterrupt
        return images(n, generator)

    G, D = tiny_dcgan(width=4)
    with pytest.raises(KeyboardInterrupt):
        dcgan_run(G, D, ema_generator(G, decay=0.8), tmp_path / "ckpt.pt", 30, crashing_images)

    G, D = tiny_dcgan(seed=99, width=4)  # fresh networks and EMA: all from the checkpoint
    ema = ema_generator(G, decay=0.8)
    resumed = dcgan_run(G, D, ema, tmp_path / "ckpt.pt", 30, images)
    assert_same_state(G, G_straight)  # weights and BatchNorm statistics
    assert_same_state(D, D_straight)
    assert_same_state(ema, ema_straight)  # the EMA's weights, statistics and n_averaged
    assert resumed == straight
    assert [step for step, _ in resumed.samples] == [0, 5, 10, 15, 20, 25, 30]
    for (_, a), (_, b) in zip(resumed.samples, straight.samples, strict=True):
        assert torch.equal(a, b)


def test_resuming_with_an_ema_needs_one_in_the_checkpoint(tmp_path):
    G, D = tiny_pair()
    run(G, D, tmp_path / "ckpt.pt", steps=20)
    with pytest.raises(ValueError, match="has no EMA"):
        train_gan(
            G, D, ring().sample, d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=30,
            checkpoint=tmp_path / "ckpt.pt", ema=ema_generator(G), progress=False,
        )  # fmt: skip


def test_prepare_moves_to_the_device_and_keeps_cpu_layouts():
    G = DCGANGenerator(z_dim=4, size=28, width=4)
    assert prepare(G, "cpu") is G
    images = torch.randn(2, 1, 28, 28)
    assert prepare(images, torch.device("cpu")).is_contiguous()


def test_generate_batches_in_eval_mode_and_restores_training_mode():
    G = DCGANGenerator(z_dim=4, size=28, width=4)
    z = torch.randn(7, 4)
    images = generate(G, z, batch_size=3)
    assert images.shape == (7, 1, 28, 28) and G.training
    G.eval()
    with torch.no_grad():
        assert torch.allclose(images, G(z), atol=1e-6)  # BatchNorm's running statistics


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_prepare_uses_channels_last_on_cuda():
    G = prepare(DCGANGenerator(z_dim=4, size=28, width=4), "cuda")
    weight = G.blocks[0][0].weight
    assert weight.is_cuda and weight.is_contiguous(memory_format=torch.channels_last)
    images = prepare(torch.randn(2, 1, 28, 28), "cuda")
    assert images.is_contiguous(memory_format=torch.channels_last)
    points = prepare(torch.randn(2, 2), "cuda")
    assert points.is_cuda and points.is_contiguous()


def test_default_step_losses_are_the_bce_pair():
    G, D = tiny_pair()
    real, z = torch.randn(8, 2), G.sample_z(8)
    with torch.no_grad():
        expected_d = d_loss_bce(D(real), D(G(z))).item()
        expected_g = g_loss_nonsaturating(D(G(z))).item()
    assert d_step(G, D, torch.optim.SGD(D.parameters(), lr=0.0), real, z) == pytest.approx(
        expected_d
    )
    assert g_step(G, D, torch.optim.SGD(G.parameters(), lr=0.0), z)[0] == pytest.approx(expected_g)


def test_lr_d_sets_the_discriminators_rate_only():
    """With lr_d = 0 the discriminator never moves while the generator learns at lr."""
    G, D = tiny_pair()
    g_before, d_before = copy_of(G), copy_of(D)
    train_gan(G, D, ring().sample, d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=5,
              batch_size=16, lr=1e-3, lr_d=0.0, progress=False)  # fmt: skip
    assert unchanged(D, d_before) and not unchanged(G, g_before)


def test_a_generator_alone_round_trips_and_cannot_fill_a_discriminator(tmp_path):
    G, D = tiny_pair()
    save_checkpoint(tmp_path / "g.pt", G=G, data="ring")
    G2, D2 = tiny_pair(seed=1)
    assert load_checkpoint(tmp_path / "g.pt", G=G2) == {"data": "ring"}
    assert all(torch.equal(p, q) for p, q in zip(G.parameters(), G2.parameters()))
    with pytest.raises(ValueError, match="generator only"):
        load_checkpoint(tmp_path / "g.pt", G=G2, D=D2)


def test_shipped_checkpoints_load_into_the_lessons_generators():
    from gankit.checkpoint import PRETRAINED_DIR, pretrained
    from gankit.models import MLPImageGenerator

    for name, G in [("02_first_gan_digits", MLPImageGenerator(z_dim=64, hidden=256)),
                    ("03_dcgan_digits", DCGANGenerator(z_dim=64, channels=1, size=28, width=32))]:  # fmt: skip
        load_checkpoint(pretrained(name), G=G)
        images = generate(G, G.sample_z(4))
        assert images.shape == (4, 1, 28, 28) and images.abs().max() <= 1
        assert (PRETRAINED_DIR / f"{name}.pt").stat().st_size <= 2_000_000
    with pytest.raises(FileNotFoundError, match="make_checkpoints"):
        pretrained("99_nothing")


# Data sets of several tensors (images, labels), and conditional generators.


def test_train_gan_draws_the_same_rows_of_every_tensor_in_a_tuple():
    G, D = tiny_pair()
    points = torch.arange(50.0)[:, None].repeat(1, 2)  # row i is (i, i)
    labels = torch.arange(50) % 7  # row i is i mod 7
    drawn = []

    def check_rows(G_, D_, opt_d, real, z):
        assert isinstance(real, tuple) and len(real) == 2
        x, y = real
        assert x.shape == (16, 2) and y.shape == (16,) and y.dtype == torch.long
        assert torch.equal(x[:, 0].long() % 7, y)  # the label of the same row
        drawn.append(x[:, 0])
        return 0.0

    history = train_gan(
        G, D, (points, labels), d_step=check_rows, g_step=lambda G, D, opt, z: 0.0, steps=5,
        batch_size=16, log_every=1, progress=False,
    )  # fmt: skip
    assert len(drawn) == 5 and len(history) == 5
    assert len(torch.cat(drawn).unique()) > 30  # random rows, not the same ones every step


def test_prepare_moves_each_part_of_a_tuple():
    z, labels = torch.randn(3, 2), torch.tensor([0, 1, 2])
    moved = prepare((z, labels), "cpu")
    assert isinstance(moved, tuple) and torch.equal(moved[0], z) and torch.equal(moved[1], labels)
    assert isinstance(prepare([z, labels], "cpu"), tuple)


@pytest.mark.parametrize(
    "data, message",
    [
        ((torch.zeros(10, 2), torch.zeros(9)), r"same number of rows, got \[10, 9\]"),
        ((torch.zeros(10, 2), [0] * 10), "expected data as a tuple of tensors"),
        ((), "expected data as a tuple of tensors"),
    ],
)
def test_train_gan_rejects_a_tuple_of_mismatched_tensors(data, message):
    G, D = tiny_pair()
    with pytest.raises(ValueError, match=message):
        train_gan(G, D, data, d_loss=d_loss_bce, g_loss=g_loss_nonsaturating, steps=1,
                  progress=False)  # fmt: skip


def test_sample_every_stores_a_conditional_gs_images_of_fixed_codes_and_labels():
    from gankit.models import conditional

    torch.manual_seed(0)
    G = conditional.ConditionalGenerator(z_dim=6, num_classes=2, embed_dim=2, width=4)
    D = conditional.ProjectionDiscriminator(num_classes=2, width=4)
    labels = torch.arange(64) % 2
    history = train_gan(
        G, D, (simple_images(64), labels), d_step=conditional.d_step, g_step=conditional.g_step,
        steps=4, batch_size=8, sample_every=2, progress=False,
    )  # fmt: skip
    assert [step for step, _ in history.samples] == [0, 2, 4]
    assert all(images.shape == (64, 1, 28, 28) for _, images in history.samples)
    z = G.sample_z(64, generator=torch.Generator().manual_seed(0))  # the default (z, labels)
    assert torch.equal(history.samples[-1][1], generate(G, z))
    assert not torch.equal(history.samples[0][1], history.samples[-1][1])

    samples_z = (torch.randn(5, 6), torch.tensor([0, 1, 0, 1, 1]))
    history = train_gan(
        G, D, (simple_images(64), labels), d_step=conditional.d_step, g_step=conditional.g_step,
        steps=2, batch_size=8, sample_every=2, samples_z=samples_z, progress=False,
    )  # fmt: skip
    assert [images.shape for _, images in history.samples] == [(5, 1, 28, 28)] * 2
    assert torch.equal(history.samples[-1][1], generate(G, samples_z))
