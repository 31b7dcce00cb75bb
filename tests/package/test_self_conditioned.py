import pytest
import torch

from gankit import data, metrics, training
from gankit.models import conditional, self_conditioned
from gankit.models.conditional import ConditionalGenerator, ProjectionDiscriminator


def tiny_pair(k=3, seed=0):
    torch.manual_seed(seed)
    G = ConditionalGenerator(z_dim=6, num_classes=k, embed_dim=4, width=4)
    D = ProjectionDiscriminator(num_classes=k, width=4)
    return G, D


def three_kinds(n_each=20, seed=0):
    """Images of three unmistakable kinds (left, middle and right bars) and their kind (3n,)."""
    g = torch.Generator().manual_seed(seed)
    images = torch.full((3 * n_each, 1, 28, 28), -1.0)
    for kind, columns in enumerate([slice(2, 8), slice(11, 17), slice(20, 26)]):
        images[kind * n_each : (kind + 1) * n_each, :, 4:24, columns] = 1.0
    images += 0.05 * torch.randn(images.shape, generator=g)
    return images.clamp(-1, 1), torch.arange(3).repeat_interleave(n_each)


def test_sample_z_draws_labels_with_label_probs_when_set():
    G, _ = tiny_pair(k=3)
    G.label_probs = torch.tensor([0.0, 0.8, 0.2])
    _, labels = G.sample_z(2000, generator=torch.Generator().manual_seed(1))
    fractions = torch.bincount(labels, minlength=3) / 2000
    assert fractions[0] == 0 and 0.77 < fractions[1] < 0.83 and 0.17 < fractions[2] < 0.23
    again = G.sample_z(2000, generator=torch.Generator().manual_seed(1))[1]
    assert torch.equal(labels, again)
    assert torch.equal(G.sample_z(2, labels=[0, 0])[1], torch.tensor([0, 0]))  # given labels win
    assert "label_probs" not in G.state_dict()  # checkpoints of conditional GANs are unchanged


def test_cluster_finds_groups_that_ds_features_tell_apart():
    images, kinds = three_kinds()
    _, D = tiny_pair(k=3)
    ids = self_conditioned.cluster(D, images, 3)
    assert ids.shape == (60,) and ids.dtype == torch.long
    assert metrics.code_accuracy(ids, kinds, num_classes=3) == 1.0
    assert D.training  # the clustering runs D in eval mode and restores its mode


def test_cluster_keeps_the_ids_of_the_previous_clustering():
    images, kinds = three_kinds()
    _, D = tiny_pair(k=3)
    for rename in ([2, 0, 1], [1, 2, 0], [0, 1, 2]):
        previous = torch.tensor(rename)[kinds]
        assert torch.equal(self_conditioned.cluster(D, images, 3, previous=previous), previous)


def test_cluster_of_a_random_dcgan_ds_features_already_groups_digits_by_class():
    images, labels = data.load_images("digits", split="train")
    torch.manual_seed(0)
    D = ProjectionDiscriminator(num_classes=10, width=32)
    ids = self_conditioned.cluster(D, images, 10)
    assert metrics.code_accuracy(ids, labels, num_classes=10) > 0.6  # chance: about 0.2


def test_cluster_and_train_reject_bad_input():
    images, _ = three_kinds(n_each=1)
    G, D = tiny_pair(k=5)
    with pytest.raises(ValueError, match="expected at least k = 5 images to cluster, got 3"):
        self_conditioned.cluster(D, images, 5)
    with pytest.raises(ValueError, match=r"expected previous ids of shape \(3,\), got \(4,\)"):
        self_conditioned.cluster(D, images, 2, previous=torch.zeros(4, dtype=torch.long))
    _, other = tiny_pair(k=4)
    with pytest.raises(ValueError, match="same number of clusters, got 5 and 4"):
        self_conditioned.train(G, other, images, steps=1)


def test_train_reclusters_every_n_steps_and_samples_g_with_the_clusters_frequencies(monkeypatch):
    images, kinds = three_kinds()
    images, kinds = images[:50], kinds[:50]  # kinds of 20, 20 and 10 images
    G, D = tiny_pair(k=3)
    ema = training.ema_generator(G, decay=0.9)
    calls = []
    real_cluster = self_conditioned.cluster

    def counting(D, images, k, **kwargs):
        calls.append(kwargs.get("previous") is not None)
        return real_cluster(D, images, k, **kwargs)

    monkeypatch.setattr(self_conditioned, "cluster", counting)
    history, ids = self_conditioned.train(G, D, images, steps=6, recluster_every=2, batch_size=8,
                                          ema=ema, progress=False, log_every=1)  # fmt: skip
    assert calls == [False, True, True]  # before step 1, after steps 2 and 4; not after the last
    assert history.step == list(range(6))
    assert sorted(torch.bincount(ids, minlength=3).tolist()) == [10, 20, 20]
    for model in (G, ema.module):
        assert sorted(model.label_probs.tolist()) == pytest.approx([0.2, 0.4, 0.4])


def test_train_gan_calls_back_after_every_step_with_the_steps_done(tmp_path):
    images, _ = three_kinds()
    G, D = tiny_pair(k=3)
    seen = []
    labels = torch.zeros(len(images), dtype=torch.long)
    checkpoint = tmp_path / "run.pt"
    run = dict(d_step=conditional.d_step, g_step=conditional.g_step,
               batch_size=8, progress=False, checkpoint=checkpoint, callback=seen.append)  # fmt: skip
    training.train_gan(G, D, (images, labels), steps=3, **run)
    training.train_gan(G, D, (images, labels), steps=5, **run)  # resumes at step 3
    assert seen == [1, 2, 3, 4, 5]


def test_cluster_fits_on_a_subset_of_many_images_and_assigns_them_all():
    images, kinds = three_kinds(n_each=40)
    _, D = tiny_pair(k=3)
    ids = self_conditioned.cluster(D, images, 3, max_fit=12)
    assert ids.shape == (120,)
    assert metrics.code_accuracy(ids, kinds, num_classes=3) == 1.0
