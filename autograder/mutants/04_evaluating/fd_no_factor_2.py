"""Forgets the factor 2 on the trace of the square root."""
# fails: test_frechet_distance


# %% frechet_distance
def frechet_distance(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    cov_r, cov_g = torch.cov(x.T), torch.cov(y.T)
    root = scipy.linalg.sqrtm((cov_r @ cov_g).numpy()).real
    return float(
        (x.mean(0) - y.mean(0)).square().sum() + torch.trace(cov_r + cov_g) - np.trace(root)
    )
