"""Takes the gradient without create_graph=True: the penalty has the right value but cannot train the critic."""
# fails: test_gradient_penalty


# %% gradient_penalty
def gradient_penalty(D, real, fake, generator=None):
    eps = torch.rand(real.shape[0], *[1] * (real.ndim - 1), generator=generator)
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
