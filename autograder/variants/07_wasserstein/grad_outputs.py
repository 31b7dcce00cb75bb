"""Takes the gradient with grad_outputs=torch.ones_like(scores), the norm with torch.linalg.vector_norm, and eps from torch.rand(B) reshaped."""


# %% gradient_penalty
def gradient_penalty(D, real, fake, generator=None):
    B = real.size(0)
    eps = torch.rand(B, generator=generator).view(-1, *[1] * (real.ndim - 1))
    x_hat = torch.lerp(fake, real, eps).detach()
    x_hat.requires_grad_()
    scores = D(x_hat)
    grad = torch.autograd.grad(
        outputs=scores,
        inputs=x_hat,
        grad_outputs=torch.ones_like(scores),
        create_graph=True,
        retain_graph=True,
    )[0]
    norms = torch.linalg.vector_norm(grad.reshape(B, -1), dim=1)
    return torch.mean((norms - 1) ** 2)
