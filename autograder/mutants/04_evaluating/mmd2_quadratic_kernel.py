"""Uses a quadratic kernel (degree 2) instead of the cubic one."""
# fails: test_mmd2


# %% mmd2
def mmd2_unbiased(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    m, n, d = len(x), len(y), x.shape[1]
    k_xx, k_yy, k_xy = (x @ x.T / d + 1) ** 2, (y @ y.T / d + 1) ** 2, (x @ y.T / d + 1) ** 2
    return float(
        (k_xx.sum() - k_xx.trace()) / (m * (m - 1))
        + (k_yy.sum() - k_yy.trace()) / (n * (n - 1))
        - 2 * k_xy.mean()
    )
