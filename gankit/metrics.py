"""Metrics for GAN samples: mode coverage on Gaussian mixtures; feature-based image metrics.

Mode coverage follows the protocol of VEEGAN (Srivastava et al. 2017, Section 5.1) and PacGAN
(Lin et al. 2018, Section 5): assign every generated sample to its nearest mixture component; a
sample is "high quality" if it lies within 3 standard deviations of that component's center; a
mode is "captured" if it receives enough high-quality samples. Reverse KL between the
distribution of high-quality samples over modes and the true mixture weights measures how evenly
they spread.

Image metrics compare features (N, F) or class probabilities (N, K) of a classifier (for digits,
`gankit.features.classifier()`; the papers use Inception-v3):
    frechet_distance           FID, Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update
                               Rule Converge to a Local Nash Equilibrium", Eq. (6)
    kernel_inception_distance  KID, Binkowski et al. 2018, "Demystifying MMD GANs", Section 4
    inception_score            IS, Salimans et al. 2016, "Improved Techniques for Training GANs",
                               Section 4
    precision_recall           Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric
                               for Assessing Generative Models", Section 2
    classifier_scores          confidence and class balance of the classifier's predictions
    evaluate                   all of them for a batch of images

Conditional and disentangled generators:
    conditional_accuracy       how often the classifier reads the class G was asked for
    match_codes, code_accuracy the best one-to-one matching of InfoGAN's categorical code to
                               the classes (Hungarian method: Kuhn 1955, through SciPy), and
                               the accuracy under it (Chen et al. 2016, Section 7)
"""

import warnings

import torch
from scipy.optimize import linear_sum_assignment

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


def frechet_distance(real_feats, fake_feats) -> float:
    """The Frechet distance between Gaussians fitted to two feature sets, (N, F) and (M, F).

    d^2 = |mu_r - mu_g|^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2))   (Heusel et al. 2017, Eq. 6)

    With Inception-v3 features this is FID; with another network the numbers are on another
    scale. Computed in float64, with unbiased covariances (1 / (N - 1)). Tr((S_r S_g)^(1/2)) is
    the sum of the square roots of the eigenvalues of S_r S_g, found as those of the symmetric
    A S_g A with A = S_r^(1/2) (the same eigenvalues, but a stable symmetric eigensolver).
    Fewer samples than features make the covariances singular and the estimate biased high:
    a warning says so. (FD is biased for any finite N; compare scores at equal N.)
    """
    real, fake = _feature_pair(real_feats, fake_feats)  # (N, F), (M, F)
    for name, feats in (("real", real), ("fake", fake)):
        if len(feats) < 2:
            raise ValueError(f"frechet_distance needs at least 2 {name} samples to estimate a "
                             f"covariance, got {len(feats)}")  # fmt: skip
        if len(feats) <= feats.shape[1]:
            warnings.warn(f"frechet_distance: {len(feats)} {name} samples for {feats.shape[1]} "
                          f"features make a singular covariance; use N > F (10 F is better)",
                          stacklevel=2)  # fmt: skip
    mu_r, mu_g = real.mean(0), fake.mean(0)  # (F,), (F,)
    cov_r, cov_g = torch.cov(real.T), torch.cov(fake.T)  # (F, F), (F, F)
    eigenvalues, eigenvectors = torch.linalg.eigh(cov_r)  # (F,), (F, F)
    sqrt_r = eigenvectors @ torch.diag(eigenvalues.clamp(min=0).sqrt()) @ eigenvectors.T  # A
    middle = sqrt_r @ cov_g @ sqrt_r  # (F, F), symmetric positive semi-definite
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    distance = (mu_r - mu_g).square().sum() + cov_r.trace() + cov_g.trace() - 2 * trace_sqrt
    return float(distance)


def kernel_inception_distance(real_feats, fake_feats, *, subsets=10, subset_size=200, seed=0):
    """KID: the squared maximum mean discrepancy between features, as (mean, std) over subsets.

    Binkowski et al. 2018, Section 4: the kernel is the cubic polynomial
    k(x, y) = (x . y / F + 1)^3, and MMD^2 is estimated without bias on `subsets` random pairs of
    subsets of `subset_size` real and fake samples (drawn without replacement, from a
    generator seeded with `seed`). Unlike FD, the estimate is unbiased at any subset size, so
    KID values from different N are comparable; it can be slightly negative when the sets
    match. The std is the spread over subsets (NumPy's default ddof=0, as in the paper's code).
    """
    real, fake = _feature_pair(real_feats, fake_feats)  # (N, F), (M, F)
    if subsets < 1:
        raise ValueError(f"expected subsets >= 1, got {subsets}")
    if not 2 <= subset_size <= min(len(real), len(fake)):
        raise ValueError(f"kernel_inception_distance needs 2 <= subset_size <= the samples in "
                         f"each set, got subset_size={subset_size} with {len(real)} real and "
                         f"{len(fake)} fake samples; pass a smaller subset_size")  # fmt: skip
    generator = torch.Generator().manual_seed(seed)
    m, dim = subset_size, real.shape[1]
    estimates = []
    for _ in range(subsets):
        x = real[torch.randperm(len(real), generator=generator)[:m]]  # (m, F)
        y = fake[torch.randperm(len(fake), generator=generator)[:m]]  # (m, F)
        k_xx = (x @ x.T / dim + 1) ** 3  # (m, m)
        k_yy = (y @ y.T / dim + 1) ** 3  # (m, m)
        k_xy = (x @ y.T / dim + 1) ** 3  # (m, m)
        # Unbiased MMD^2: the within-set means leave out the diagonal k(x_i, x_i).
        within = (k_xx.sum() - k_xx.trace() + k_yy.sum() - k_yy.trace()) / (m * (m - 1))
        estimates.append(within - 2 * k_xy.mean())
    estimates = torch.stack(estimates)  # (subsets,)
    return float(estimates.mean()), float(estimates.std(correction=0))


def inception_score(probs, *, splits=10):
    """IS = exp(E_x KL(p(y|x) || p(y))), as (mean, std) over `splits` parts of the samples.

    Salimans et al. 2016, Section 4. `probs` (N, K) are the classifier's class probabilities
    p(y|x) (softmax of its logits) for N generated images; p(y) is their mean within a part.
    IS runs from 1 (every image gets the same prediction) to K (confident predictions spread
    evenly over the K classes). Parts are consecutive, as in the paper's code (shuffle first
    if the samples are ordered); the std is over parts (ddof=0, as there).
    """
    probs = _probabilities(probs)  # (N, K)
    if not 1 <= splits <= len(probs):
        raise ValueError(f"inception_score needs 1 <= splits <= N, got splits={splits} "
                         f"for N={len(probs)}")  # fmt: skip
    n, scores = len(probs), []
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]  # (n / splits, K)
        marginal = part.mean(0, keepdim=True)  # (1, K), p(y)
        kl = (torch.special.xlogy(part, part) - torch.special.xlogy(part, marginal)).sum(1)
        scores.append(kl.mean().exp())  # exp(E_x KL), with 0 log 0 = 0
    scores = torch.stack(scores)  # (splits,)
    return float(scores.mean()), float(scores.std(correction=0))


def precision_recall(real_feats, fake_feats, *, k=3, batch_size=1000) -> dict:
    """Improved precision and recall (Kynkaanniemi et al. 2019, Eqs. 1-2), k-NN manifolds.

    Each sample of a set spans a ball reaching its k-th nearest neighbour in the same set; the
    union of the balls estimates the set's manifold. precision = the fraction of fake samples
    inside the real manifold (how realistic the fakes are); recall = the fraction of real
    samples inside the fake manifold (how much of the data the generator covers). The paper
    uses k = 3. Returns {"precision": float, "recall": float}, each in [0, 1].
    """
    real, fake = _feature_pair(real_feats, fake_feats)  # (N, F), (M, F)
    if not k >= 1 or min(len(real), len(fake)) <= k:
        raise ValueError(f"precision_recall needs k >= 1 and more than k samples in each set, "
                         f"got k={k} with {len(real)} real and {len(fake)} fake")  # fmt: skip
    real_radii = _knn_radii(real, k, batch_size)  # (N,)
    fake_radii = _knn_radii(fake, k, batch_size)  # (M,)
    return {
        "precision": _fraction_inside(fake, real, real_radii, batch_size),
        "recall": _fraction_inside(real, fake, fake_radii, batch_size),
    }


def classifier_scores(probs) -> dict:
    """How confident and how balanced a classifier's predictions (N, K) on generated images are.

    Returns {"confidence": the mean of max_y p(y|x), "class_fractions": the fraction of images
    predicted as each of the K classes, "min_class_fraction": the smallest of them} (1/K for
    a perfectly balanced generator, 0 when a class is never produced: a dropped mode).
    """
    probs = _probabilities(probs)  # (N, K)
    confidence, predicted = probs.max(1)  # (N,), (N,)
    fractions = torch.bincount(predicted, minlength=probs.shape[1]) / len(probs)  # (K,)
    return {
        "confidence": float(confidence.mean()),
        "class_fractions": fractions.tolist(),
        "min_class_fraction": float(fractions.min()),
    }


def evaluate(images, real_images, classifier, *, batch_size=500) -> dict:
    """All image metrics for generated images against real ones, through one classifier.

    images (N, C, H, W) and real_images (M, C, H, W) in [-1, 1]; `classifier` has
    `features(x) -> (B, F)` and `head(features) -> logits (B, K)` (as
    `gankit.features.DigitClassifier`). Features are computed without gradients, in batches,
    on the classifier's device. KID uses subsets of min(200, N, M) samples.
    Returns a dict of floats: fd, kid, precision, recall, inception_score, confidence,
    min_class_fraction.
    """
    fake_feats, fake_probs = _features_and_probs(classifier, images, batch_size)  # (N, F), (N, K)
    real_feats, _ = _features_and_probs(classifier, real_images, batch_size)  # (M, F)
    subset_size = min(200, len(fake_feats), len(real_feats))
    kid, _ = kernel_inception_distance(real_feats, fake_feats, subset_size=subset_size)
    is_mean, _ = inception_score(fake_probs, splits=min(10, len(fake_probs)))
    scores = classifier_scores(fake_probs)
    return {
        "fd": frechet_distance(real_feats, fake_feats),
        "kid": kid,
        **precision_recall(real_feats, fake_feats),
        "inception_score": is_mean,
        "confidence": scores["confidence"],
        "min_class_fraction": scores["min_class_fraction"],
    }


def conditional_accuracy(classifier, images, labels, *, batch_size=500) -> float:
    """The fraction of images (N, C, H, W) that the classifier reads as their requested label (N,)."""
    labels = torch.as_tensor(labels)
    if labels.shape != (len(images),):
        raise ValueError(
            f"expected one label per image, ({len(images)},), got {tuple(labels.shape)}"
        )
    _, probs = _features_and_probs(classifier, images, batch_size)  # (N, K)
    return float((probs.argmax(1) == labels.cpu()).double().mean())


def match_codes(codes, labels, num_classes=None) -> torch.Tensor:
    """The one-to-one map from code values to classes that agrees with the labels most often.

    codes and labels: integers (N,). Counts co-occurrences in a (codes x classes) table and
    solves the assignment problem on it (Hungarian method, `scipy.optimize.
    linear_sum_assignment`). Returns mapping (num_classes,): code k stands for class mapping[k].
    """
    codes, labels = torch.as_tensor(codes).long().cpu(), torch.as_tensor(labels).long().cpu()
    if codes.ndim != 1 or codes.shape != labels.shape or len(codes) == 0:
        raise ValueError(f"expected codes and labels of the same shape (N,), got "
                         f"{tuple(codes.shape)} and {tuple(labels.shape)}")  # fmt: skip
    k = int(max(codes.max(), labels.max())) + 1 if num_classes is None else num_classes
    if codes.min() < 0 or labels.min() < 0 or max(codes.max(), labels.max()) >= k:
        raise ValueError(f"expected codes and labels in 0..{k - 1}")
    counts = torch.bincount(codes * k + labels, minlength=k * k).reshape(k, k)  # (codes, classes)
    rows, cols = linear_sum_assignment(counts.numpy(), maximize=True)
    mapping = torch.empty(k, dtype=torch.long)
    mapping[torch.as_tensor(rows)] = torch.as_tensor(cols)
    return mapping


def code_accuracy(codes, labels, num_classes=None) -> float:
    """The fraction of samples whose code, mapped by `match_codes`, is their label."""
    mapping = match_codes(codes, labels, num_classes)
    return float(
        (mapping[torch.as_tensor(codes).long().cpu()] == torch.as_tensor(labels).cpu())
        .double()
        .mean()
    )


def _as_features(feats, name):
    feats = torch.as_tensor(feats).detach().to("cpu", torch.float64)
    if feats.ndim != 2 or feats.shape[0] == 0 or feats.shape[1] == 0:
        raise ValueError(f"expected {name} features of shape (N, F), got {tuple(feats.shape)}")
    if not bool(torch.isfinite(feats).all()):
        raise ValueError(f"expected finite {name} features, got NaN or inf")
    return feats


def _feature_pair(real_feats, fake_feats):
    real, fake = _as_features(real_feats, "real"), _as_features(fake_feats, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"expected real and fake features of the same dimension F, got "
                         f"{tuple(real.shape)} and {tuple(fake.shape)}")  # fmt: skip
    return real, fake


def _probabilities(probs):
    probs = _as_features(probs, "probability")  # (N, K)
    sums = probs.sum(1)  # (N,)
    if bool((probs < 0).any()) or not torch.allclose(sums, torch.ones_like(sums), atol=1e-3):
        raise ValueError(
            f"expected probabilities (N, K): non-negative rows summing to 1, got "
            f"row sums in [{sums.min():.3g}, {sums.max():.3g}] (softmax logits first)"
        )
    return probs


def _knn_radii(feats, k, batch_size):
    """Distance from each sample (N, F) to its k-th nearest other sample, (N,)."""
    return torch.cat([
        torch.cdist(chunk, feats).kthvalue(k + 1, dim=1).values  # (b,), skipping itself at 0
        for chunk in feats.split(batch_size)
    ])  # fmt: skip


def _fraction_inside(points, centers, radii, batch_size):
    """The fraction of points (P, F) within radii (C,) of at least one of centers (C, F)."""
    inside = [(torch.cdist(chunk, centers) <= radii).any(1) for chunk in points.split(batch_size)]
    return float(torch.cat(inside).double().mean())


@torch.no_grad()
def _features_and_probs(classifier, images, batch_size):
    images = torch.as_tensor(images)
    if images.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W) in [-1, 1], "
                         f"got {tuple(images.shape)}")  # fmt: skip
    device = next(classifier.parameters()).device
    was_training = classifier.training
    classifier.eval()
    feats, probs = [], []
    for batch in images.split(batch_size):
        f = classifier.features(batch.to(device, torch.float32))  # (B, F)
        feats.append(f.cpu())
        probs.append(classifier.head(f).softmax(1).cpu())  # (B, K)
    classifier.train(was_training)
    return torch.cat(feats), torch.cat(probs)  # (N, F), (N, K)
