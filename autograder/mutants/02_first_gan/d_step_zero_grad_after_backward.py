"""Zeroes the gradients between backward() and step(): the optimiser steps on nothing."""
# fails: test_d_step


# %% d_step
def d_step(G, D, opt_d, real, z):
    fake = G(z).detach()
    real_logits, fake_logits = D(real), D(fake)
    loss = F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    loss.backward()
    opt_d.zero_grad()
    opt_d.step()
    return loss.item()
