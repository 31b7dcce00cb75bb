"""Unbiased MMD^2 by masking the diagonal with a boolean matrix."""


# %% mmd2
def mmd2_unbiased(real_feats, fake_feats):
    x, y = real_feats.double(), fake_feats.double()
    d = x.shape[1]

    def kernel(a, b):
        return (a @ b.T / d + 1).pow(3)

    def off_diagonal_mean(k):
        mask = ~torch.eye(len(k), dtype=torch.bool)
        return k[mask].mean()

    return (
        off_diagonal_mean(kernel(x, x)) + off_diagonal_mean(kernel(y, y)) - 2 * kernel(x, y).mean()
    ).item()
