"""Puts p_g in the numerator: the probability that x is fake, not real."""
# fails: test_optimal_discriminator, test_jsd_identity


# %% optimal_discriminator
def optimal_discriminator(p_data, p_g):
    return p_g / (p_data + p_g)
