"""Metrics for GAN samples. Mode coverage on Gaussian mixtures.

The protocol of VEEGAN (Srivastava et al. 2017, Section 5.1) and PacGAN (Lin et al. 2018,
Section 5): assign every generated sample to its nearest mixture component; a sample is
"high quality" if it lies within 3 standard deviations of that component's center; a mode is
"captured" if it receives enough high-quality samples. Reverse KL between the distribution of
high-quality samples over modes and the true mixture weights measures how evenly they spread.
"""

import torch

from gankit.data import GaussianMixture


def mode_coverage(samples, mixture: GaussianMixture, n_std=3.0, min_count=None) -> dict:
    """How many modes of `mixture` the samples (N, dim) capture, and how well.

    Args:
        samples: (N, dim) generated points.
        mixture: the `GaussianMixture` the generator was trained on.
        n_std: a sample is high quality if |x - c_k| <= n_std * s_k for its nearest center c_k
            (the Euclidean distance in any dimension; |x - c_k| in 1-D).
        min_count: high-quality samples a mode needs to count as captured. The default,
            max(1, round(0.2 * N * w_k)), asks for at least 20% of the mode's expected share
            N * w_k: a stray sample does not count, a mode with half its share does.
            (VEEGAN and PacGAN do not state their threshold; this is our choice.)

    Returns a dict with
        "modes": the number of captured modes,
        "hq": the fraction of samples that are high quality (0 to 1),
        "kl": KL(q || p) between q, the histogram of high-quality samples over modes
            (smoothed by 1e-10 so empty modes stay finite), and p, the mixture weights;
            0 for a perfect match, inf when no sample is high quality (q is undefined),
        "counts": the number of high-quality samples per mode (a list of K ints).
    """
    samples = torch.as_tensor(samples).detach().to("cpu", torch.float32)
    if samples.ndim != 2 or samples.shape[1] != mixture.dim:
        raise ValueError(
            f"expected samples of shape (N, {mixture.dim}) to match the mixture, "
            f"got {tuple(samples.shape)}"
        )
    n = samples.shape[0]
    if n == 0:
        raise ValueError("expected at least one sample, got 0")
    if n_std <= 0:
        raise ValueError(f"expected n_std > 0, got {n_std}")

    distances = torch.cdist(samples, mixture.centers)  # (N, K)
    nearest_distance, nearest = distances.min(dim=1)  # (N,), (N,)
    is_hq = nearest_distance <= n_std * mixture.std[nearest]  # (N,)
    counts = torch.bincount(nearest[is_hq], minlength=mixture.n_modes)  # (K,)

    if min_count is None:
        min_count = (0.2 * n * mixture.weights).round().clamp(min=1)  # (K,)
    captured = int((counts >= torch.as_tensor(min_count)).sum())

    eps = 1e-10
    q = (counts.double() + eps) / (counts.sum().double() + eps * mixture.n_modes)  # (K,)
    p = mixture.weights.double().clamp(min=eps)  # (K,)
    kl = float((q * (q / p).log()).sum()) if counts.sum() > 0 else float("inf")

    return {
        "modes": captured,
        "hq": float(is_hq.double().mean()),
        "kl": kl,
        "counts": counts.tolist(),
    }
