"""Writes the critic loss as E[f(x)] - E[f(G(z))]: the critic is trained to lower real scores."""
# fails: test_wasserstein_losses, test_critic_step


# %% wasserstein_losses
def critic_loss(real_scores, fake_scores):
    return real_scores.mean() - fake_scores.mean()


def generator_loss(fake_scores):
    return -fake_scores.mean()
