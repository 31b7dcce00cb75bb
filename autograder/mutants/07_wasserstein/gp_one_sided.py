"""Penalises only gradients steeper than 1 (relu(norm - 1) ** 2): the one-sided penalty."""
# fails: test_gradient_penalty


# %% gradient_penalty
def gradient_penalty(D, real, fake, generator=None):
    eps = torch.rand(real.shape[0], *[1] * (real.ndim - 1), generator=generator)
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return (torch.relu(grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
