"""Writes the non-saturating loss twice: the saturating one never stalls, so the lesson's comparison shows nothing."""
# fails: test_g_losses, test_g_loss_gradients


# %% g_losses
def g_loss_saturating(fake_logits):
    return F.softplus(-fake_logits).mean()


def g_loss_nonsaturating(fake_logits):
    return F.softplus(-fake_logits).mean()
