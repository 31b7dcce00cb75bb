"""Keeps only the inner product e(y) . phi(x): the unconditional term psi(phi(x)) is dropped."""
# fails: test_projection_logits


# %% projection_logits
def projection_logits(features, labels, psi, embedding):
    return (embedding(labels) * features).sum(dim=1)
