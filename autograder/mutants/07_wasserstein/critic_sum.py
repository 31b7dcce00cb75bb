"""Sums the scores over the batch instead of averaging them."""
# fails: test_wasserstein_losses


# %% wasserstein_losses
def critic_loss(real_scores, fake_scores):
    return fake_scores.sum() - real_scores.sum()


def generator_loss(fake_scores):
    return -fake_scores.sum()
