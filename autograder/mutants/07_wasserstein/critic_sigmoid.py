"""Squashes the critic's scores with a sigmoid, as a discriminator's, before taking the means."""
# fails: test_wasserstein_losses


# %% wasserstein_losses
def critic_loss(real_scores, fake_scores):
    return torch.sigmoid(fake_scores).mean() - torch.sigmoid(real_scores).mean()


def generator_loss(fake_scores):
    return -fake_scores.mean()
