"""Returns E[log D(G(z))], which the generator should maximise, as the loss it minimises."""
# fails: test_g_losses


# %% g_losses
def g_loss_saturating(fake_logits):
    return -F.softplus(fake_logits).mean()


def g_loss_nonsaturating(fake_logits):
    return F.logsigmoid(fake_logits).mean()
