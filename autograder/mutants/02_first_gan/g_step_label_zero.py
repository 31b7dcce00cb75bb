"""Trains the generator towards label 0: it helps the discriminator reject its own fakes."""
# fails: test_g_step


# %% g_step
def g_step(G, D, opt_g, z):
    fake_logits = D(G(z))
    loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    return loss.item()
