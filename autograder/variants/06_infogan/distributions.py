"""Uses torch.distributions for the log-likelihoods, and in-place uniform_ and an identity matrix for the latent."""


# %% sample_latent
def sample_latent(n, noise_dim, categories, continuous, generator=None):
    z = torch.empty(n, noise_dim).normal_(generator=generator)
    cat = torch.randint(0, categories, (n,), generator=generator)
    cont = torch.empty(n, continuous).uniform_(-1, 1, generator=generator)
    return torch.hstack([z, torch.eye(categories)[cat], cont]), cat, cont


# %% info_loss
def info_loss(cat_logits, cat, mean, log_std, cont, lambda_cat=1.0, lambda_cont=0.1):
    log_q_cat = torch.distributions.Categorical(logits=cat_logits).log_prob(cat)
    log_q_cont = torch.distributions.Independent(
        torch.distributions.Normal(mean, log_std.exp()), 1
    ).log_prob(cont)
    return -(lambda_cat * log_q_cat.mean() + lambda_cont * log_q_cont.mean())
