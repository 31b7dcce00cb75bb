"""Reshapes the weight with W.view(-1, W.shape[0]), taking it for (in, out): the entries are scrambled."""
# fails: test_power_iteration


# %% power_iteration
def power_iteration(W, u):
    W = W.view(-1, W.shape[0])
    v = torch.nn.functional.normalize(W @ u, dim=0)
    u = torch.nn.functional.normalize(W.t() @ v, dim=0)
    return v @ W @ u, u, v
