"""Computes sigma = u^T W v with the u it was given instead of the new one."""
# fails: test_power_iteration


# %% power_iteration
def power_iteration(W, u):
    W = W.flatten(1)
    v = torch.nn.functional.normalize(W.t() @ u, dim=0)
    sigma = u @ W @ v
    u = torch.nn.functional.normalize(W @ v, dim=0)
    return sigma, u, v
