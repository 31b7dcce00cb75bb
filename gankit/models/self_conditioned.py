"""Self-conditioned GAN: a conditional GAN on clusters that D finds itself, no labels needed.

Liu, Wang, Bau, Zhu and Torralba 2020, "Diverse Image Generation via Self-Conditioned GANs".
An unconditional G is a continuous map from one connected cloud of z onto data whose classes
lie apart: some z must land between two digits, and G draws blends there. The
self-conditioned GAN

1. clusters the real images by D's own features with k-means (`cluster`), starting from D's
   initial, random features;
2. trains a conditional G(z, y) and D(x, y) (`gankit.models.conditional`: the DCGAN generator
   of [z, e(y)] and the projection discriminator) on the cluster ids y as if they were labels,
   G's ids drawn with the clusters' frequencies;
3. every few hundred steps clusters again with D's newer features, and gives each new cluster
   the id of the old one it shares most images with (a one-to-one matching), so that an id
   keeps its meaning while G learns it.

Each cluster is a compact part of the data, so G(z, y) has no gap to cross.
Code (paper): num_classes (k), ids (the partition into clusters pi_c), train (the algorithm).
"""

import functools

import numpy as np
import torch
from sklearn.cluster import KMeans

from gankit import metrics, training
from gankit.models import conditional


@torch.no_grad()
def cluster(D, images, k, *, previous=None, seed=0, max_fit=5000, batch_size=500) -> torch.Tensor:
    """Cluster ids (N,) in [0, k) of images (N, C, H, W) by k-means on D.features (in eval mode).

    k-means is fitted on at most `max_fit` of the images (a random subset, drawn with `seed`)
    and assigns every image to its nearest centre. With `previous` ids (N,), each new cluster
    takes the id of the old cluster it shares most images with (a one-to-one matching), so
    ids stay stable from one clustering to the next.
    """
    if len(images) < k:
        raise ValueError(f"expected at least k = {k} images to cluster, got {len(images)}")
    if previous is not None and tuple(previous.shape) != (len(images),):
        raise ValueError(f"expected previous ids of shape ({len(images)},), "
                         f"got {tuple(previous.shape)}")  # fmt: skip
    was_training, device = D.training, next(D.parameters()).device

    def features(rows):  # (n, F) on the CPU
        return torch.cat([D.features(x.to(device)).float().cpu() for x in rows.split(batch_size)])

    D.eval()
    try:
        kmeans = KMeans(k, n_init=3, random_state=seed)
        if len(images) <= max_fit:
            ids = kmeans.fit_predict(features(images).numpy())  # (N,)
        else:
            subset = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
            kmeans.fit(features(images[subset[:max_fit]]).numpy())
            ids = np.concatenate([kmeans.predict(features(x).numpy())
                                  for x in images.split(10 * batch_size)])  # fmt: skip
    finally:
        D.train(was_training)
    ids = torch.from_numpy(ids).long()  # (N,)
    if previous is not None:  # new cluster -> the old id it shares most images with
        ids = metrics.match_codes(ids, previous, num_classes=k)[ids]
    return ids


def train(G, D, images, *, steps, recluster_every=400, mode_seeking=0.5, seed=0, ema=None,
          **train_kwargs):  # fmt: skip
    """Train a conditional G and D (with `num_classes` = k clusters) on images (N, C, H, W).

    Clusters the images with D's features (D needs `features(x)`, as `ProjectionDiscriminator`
    has) before the first step and every `recluster_every` steps, sets G's (and the EMA's)
    `label_probs` to the clusters' frequencies and trains with `training.train_gan`
    (`train_kwargs`: batch_size, lr, ...) and the conditional steps.
    `mode_seeking` weighs MSGAN's term in G's step (`conditional.g_step`): without it, G
    soon draws one image per cluster, whatever z.
    Returns (history, ids): `train_gan`'s history and the last clustering's ids (N,). The ids
    are not part of a `checkpoint=`: a resumed run uses the clusters of D before it is loaded
    until the next clustering.
    """
    if G.num_classes != D.num_classes:
        raise ValueError(f"expected G and D with the same number of clusters, "
                         f"got {G.num_classes} and {D.num_classes}")  # fmt: skip
    k = G.num_classes
    ids = torch.empty(len(images), dtype=torch.long)

    def relabel(step):
        if step % recluster_every == 0 and step < steps:
            ids[:] = cluster(D, images, k, previous=None if step == 0 else ids, seed=seed)
            probs = torch.bincount(ids, minlength=k).float() / len(ids)  # (k,)
            for model in [G] + ([ema.module] if ema is not None else []):
                model.label_probs = probs

    relabel(0)
    history = training.train_gan(
        G, D, (images, ids), d_step=conditional.d_step, steps=steps,
        g_step=functools.partial(conditional.g_step, mode_seeking=mode_seeking),
        seed=seed, ema=ema, callback=relabel, **train_kwargs,
    )  # fmt: skip
    return history, ids
