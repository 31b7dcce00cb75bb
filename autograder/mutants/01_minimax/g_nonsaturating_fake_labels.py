"""The generator's BCE uses the discriminator's label for fakes (0): it trains G to look fake."""
# fails: test_g_losses


# %% g_losses
def g_loss_saturating(fake_logits):
    return -F.softplus(fake_logits).mean()


def g_loss_nonsaturating(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
