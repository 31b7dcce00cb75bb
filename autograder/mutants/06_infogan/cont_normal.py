"""Draws the continuous codes from N(0, 1) instead of Unif(-1, 1)."""
# fails: test_sample_latent


# %% sample_latent
def sample_latent(n, noise_dim, categories, continuous, generator=None):
    z = torch.randn(n, noise_dim, generator=generator)
    cat = torch.randint(categories, (n,), generator=generator)
    cont = torch.randn(n, continuous, generator=generator)
    return torch.cat([z, F.one_hot(cat, categories).float(), cont], dim=1), cat, cont
