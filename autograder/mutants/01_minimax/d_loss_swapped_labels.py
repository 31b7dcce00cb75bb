"""Labels real samples 0 and fakes 1: the discriminator learns to call the data fake."""
# fails: test_d_loss_values


# %% d_loss
def d_loss(real_logits, fake_logits):
    ones, zeros = torch.ones_like(real_logits), torch.zeros_like(fake_logits)
    return F.binary_cross_entropy_with_logits(
        real_logits, zeros
    ) + F.binary_cross_entropy_with_logits(fake_logits, ones)
