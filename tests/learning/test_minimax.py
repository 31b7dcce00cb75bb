"""Lesson 01's claims, trained for real at tiny widths: the saturating generator loss stalls
against a confident discriminator while the non-saturating one keeps learning."""

import pytest
import torch

from gankit import data, losses, training
from gankit.models import MLPDiscriminator, MLPGenerator


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def train_against_strong_d(g_loss, seed=0):
    training.seed_everything(seed)  # the networks' initial weights too, whatever ran before
    G = MLPGenerator(z_dim=2, out_dim=2, hidden=64, depth=3)
    D = MLPDiscriminator(in_dim=2, hidden=64, depth=3)
    history = training.train_gan(G, D, data.ring().sample, d_loss=losses.d_loss_bce, g_loss=g_loss,
                                 steps=500, batch_size=256, lr=2e-3, d_steps=5, seed=seed,
                                 log_every=10, progress=False)  # fmt: skip
    with torch.no_grad():
        fakes = G(G.sample_z(1000, generator=torch.Generator().manual_seed(1)))
        belief = torch.sigmoid(D(fakes)).mean().item()  # D(G(z)): how real D finds the fakes
    return history, belief


def test_saturating_loss_stalls_where_the_non_saturating_one_does_not():
    """Lesson 01, section 3: against a discriminator taking 5 steps per generator step."""
    sat, sat_belief = train_against_strong_d(losses.g_loss_saturating)
    nonsat, nonsat_belief = train_against_strong_d(losses.g_loss_nonsaturating)
    late = slice(len(sat.g_grad) // 2, None)  # the second half of training
    sat_grad = sum(sat.g_grad[late]) / len(sat.g_grad[late])
    nonsat_grad = sum(nonsat.g_grad[late]) / len(nonsat.g_grad[late])
    assert sat_belief < 0.1 < nonsat_belief, (sat_belief, nonsat_belief)
    assert sat_grad < 0.25 * nonsat_grad, (sat_grad, nonsat_grad)
