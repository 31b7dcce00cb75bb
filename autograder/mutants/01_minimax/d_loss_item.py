"""Returns the loss as a Python float with .item(): nothing left to backpropagate."""
# fails: test_d_loss_grad


# %% d_loss
def d_loss(real_logits, fake_logits):
    loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    return torch.tensor(loss.item())
