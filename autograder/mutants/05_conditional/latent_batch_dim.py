"""Concatenates along the batch dimension (torch.cat's default, dim=0)."""
# fails: test_condition_latent


# %% condition_latent
def condition_latent(z, labels, embedding):
    return torch.cat([z, embedding(labels)])
