"""Forgets to detach the fakes: the discriminator's loss sends gradients into G."""
# fails: test_d_step


# %% d_step
def d_step(G, D, opt_d, real, z):
    fake = G(z)
    real_logits, fake_logits = D(real), D(fake)
    loss = F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()
