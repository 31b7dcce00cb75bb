"""Uses the distance between the means, |mu_r - mu_g|, where FD has its square."""
# fails: test_frechet_distance


# %% frechet_distance
def frechet_distance(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    cov_r, cov_g = torch.cov(x.T), torch.cov(y.T)
    root = scipy.linalg.sqrtm((cov_r @ cov_g).numpy()).real
    return float((x.mean(0) - y.mean(0)).norm() + torch.trace(cov_r + cov_g) - 2 * np.trace(root))
