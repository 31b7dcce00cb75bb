"""The inner product by einsum, psi's output flattened."""


# %% projection_logits
def projection_logits(features, labels, psi, embedding):
    return torch.einsum("bf,bf->b", embedding(labels), features) + psi(features).flatten()
