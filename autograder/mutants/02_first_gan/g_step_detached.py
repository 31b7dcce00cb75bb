"""Detaches the fakes in the generator's step too: no gradient can reach G."""
# fails: test_g_step


# %% g_step
def g_step(G, D, opt_g, z):
    fake_logits = D(G(z).detach())
    loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    return loss.item()
