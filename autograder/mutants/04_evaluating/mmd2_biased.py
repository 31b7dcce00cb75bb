"""Keeps the diagonal terms k(x_i, x_i): the biased estimator."""
# fails: test_mmd2


# %% mmd2
def mmd2_unbiased(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    d = x.shape[1]
    k_xx, k_yy, k_xy = (x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3
    return float(k_xx.mean() + k_yy.mean() - 2 * k_xy.mean())
