"""Puts the codes before the noise: [one_hot(c1), c2, z], not the layout G expects."""
# fails: test_sample_latent


# %% sample_latent
def sample_latent(n, noise_dim, categories, continuous, generator=None):
    z = torch.randn(n, noise_dim, generator=generator)
    cat = torch.randint(categories, (n,), generator=generator)
    cont = torch.rand(n, continuous, generator=generator) * 2 - 1
    return torch.cat([F.one_hot(cat, categories).float(), cont, z], dim=1), cat, cont
