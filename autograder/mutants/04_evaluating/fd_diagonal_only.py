"""Keeps only the variances (a diagonal covariance), ignoring correlations between features."""
# fails: test_frechet_distance


# %% frechet_distance
def frechet_distance(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    var_r, var_g = x.var(0), y.var(0)
    return float(
        (x.mean(0) - y.mean(0)).square().sum() + (var_r + var_g - 2 * (var_r * var_g).sqrt()).sum()
    )
