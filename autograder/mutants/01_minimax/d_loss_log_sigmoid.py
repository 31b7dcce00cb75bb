"""Takes log(sigmoid(logit)) directly: right for small logits, -inf once sigmoid rounds to 0 or 1."""
# fails: test_d_loss_stable


# %% d_loss
def d_loss(real_logits, fake_logits):
    d_real, d_fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
    return -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
