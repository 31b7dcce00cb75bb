"""Uses log D(G(z)) in place of log(1 - D(G(z))) in the value function."""
# fails: test_value_function


# %% value_function
def value_function(d_real, d_fake):
    return torch.log(d_real).mean() + torch.log(d_fake).mean()
