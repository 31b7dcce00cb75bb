"""Forgets to squeeze psi's (B, 1) output, which broadcasts with the (B,) inner product to (B, B)."""
# fails: test_projection_logits


# %% projection_logits
def projection_logits(features, labels, psi, embedding):
    return psi(features) + (embedding(labels) * features).sum(dim=1)
