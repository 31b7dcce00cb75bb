"""Draws eps per element (one for every coordinate of every sample) instead of one per sample."""
# fails: test_gradient_penalty


# %% gradient_penalty
def gradient_penalty(D, real, fake, generator=None):
    eps = torch.rand(real.shape, generator=generator)
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
