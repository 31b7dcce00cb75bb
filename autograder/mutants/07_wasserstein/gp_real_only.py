"""Takes the penalty at the real samples only, not at interpolates of real and fake."""
# fails: test_gradient_penalty


# %% gradient_penalty
def gradient_penalty(D, real, fake, generator=None):
    x_hat = real.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
