"""Takes the element-wise square root of cov_r @ cov_g instead of the matrix square root."""
# fails: test_frechet_distance


# %% frechet_distance
def frechet_distance(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    cov_r, cov_g = torch.cov(x.T), torch.cov(y.T)
    root = torch.sqrt((cov_r @ cov_g).abs())
    return float((x.mean(0) - y.mean(0)).square().sum() + torch.trace(cov_r + cov_g - 2 * root))
