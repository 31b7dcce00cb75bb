"""Draws categories from randint(categories - 1): the last category is never used."""
# fails: test_sample_latent


# %% sample_latent
def sample_latent(n, noise_dim, categories, continuous, generator=None):
    z = torch.randn(n, noise_dim, generator=generator)
    cat = torch.randint(categories - 1, (n,), generator=generator)
    cont = torch.rand(n, continuous, generator=generator) * 2 - 1
    return torch.cat([z, F.one_hot(cat, categories).float(), cont], dim=1), cat, cont
