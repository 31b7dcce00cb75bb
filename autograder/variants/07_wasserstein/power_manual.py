"""Reshapes with W.reshape(W.size(0), -1), divides by the norms by hand and takes sigma as |W v|."""


# %% power_iteration
def power_iteration(W, u):
    W_mat = W.reshape(W.size(0), -1)
    v = torch.mv(W_mat.T, u)
    v = v / (v.norm() + 1e-12)
    Wv = torch.mv(W_mat, v)
    sigma = torch.linalg.vector_norm(Wv)
    u = Wv / (sigma + 1e-12)
    return sigma, u, v
