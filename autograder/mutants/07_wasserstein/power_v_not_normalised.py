"""Does not normalise v = W^T u, so sigma = u^T W v is scaled by |W^T u|."""
# fails: test_power_iteration


# %% power_iteration
def power_iteration(W, u):
    W = W.flatten(1)
    v = W.t() @ u
    u = torch.nn.functional.normalize(W @ v, dim=0)
    return u @ W @ v, u, v
