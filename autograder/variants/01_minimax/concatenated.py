"""One cross-entropy over the concatenated batch (half the sum), with logsigmoid elsewhere."""


# %% d_loss
def d_loss(real_logits, fake_logits):
    logits = torch.cat([real_logits, fake_logits])
    labels = torch.cat([torch.ones_like(real_logits), torch.zeros_like(fake_logits)])
    return torch.nn.BCEWithLogitsLoss()(logits, labels)


# %% g_losses
def g_loss_saturating(fake_logits):
    return F.logsigmoid(-fake_logits).mean()


def g_loss_nonsaturating(fake_logits):
    return -F.logsigmoid(fake_logits).mean()
