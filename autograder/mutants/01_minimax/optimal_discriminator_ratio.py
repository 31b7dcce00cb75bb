"""Returns the density ratio p_data / p_g, which is not a probability."""
# fails: test_optimal_discriminator, test_jsd_identity


# %% optimal_discriminator
def optimal_discriminator(p_data, p_g):
    return p_data / p_g
