"""FD through eigenvalues (the trace of the square root is the sum of the square roots of the eigenvalues) and NumPy covariances."""


# %% frechet_distance
def frechet_distance(real_feats, fake_feats):
    x, y = real_feats.double().numpy(), fake_feats.double().numpy()
    cov_r, cov_g = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    eig = np.linalg.eigvals(cov_r @ cov_g)
    return float(
        ((x.mean(0) - y.mean(0)) ** 2).sum()
        + np.trace(cov_r)
        + np.trace(cov_g)
        - 2 * np.sqrt(eig.real.clip(min=0)).sum()
    )
