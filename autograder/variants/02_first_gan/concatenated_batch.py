"""One cross-entropy over the concatenated real and fake batch (half the summed loss), fakes made under no_grad."""


# %% d_step
def d_step(G, D, opt_d, real, z):
    with torch.no_grad():
        fake = G(z)
    logits = D(torch.cat([real, fake]))
    labels = torch.cat([torch.ones(len(real)), torch.zeros(len(fake))])
    loss = F.binary_cross_entropy_with_logits(logits, labels)
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return float(loss)
