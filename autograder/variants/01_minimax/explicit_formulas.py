"""Writes every formula out: log1p/exp with the max trick, stacked means, and 1 / (1 + ratio)."""


# %% value_function
def value_function(d_real, d_fake):
    terms = torch.stack([d_real.log().mean(), (1.0 - d_fake).log().mean()])
    return terms.sum()


# %% d_loss
def d_loss(real_logits, fake_logits):
    def softplus(x):  # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|)
        return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))

    return (softplus(-real_logits).mean() + softplus(fake_logits).mean()) / 2


# %% optimal_discriminator
def optimal_discriminator(p_data, p_g):
    return 1 / (1 + p_g / p_data)
