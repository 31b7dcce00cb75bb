"""Computes the generator losses through sigmoid and log: -inf or nan at large logits."""
# fails: test_g_losses


# %% g_losses
def g_loss_saturating(fake_logits):
    return torch.log(1 - torch.sigmoid(fake_logits)).mean()


def g_loss_nonsaturating(fake_logits):
    return -torch.log(torch.sigmoid(fake_logits)).mean()
