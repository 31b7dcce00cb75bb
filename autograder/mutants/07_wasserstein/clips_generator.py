"""Clamps the generator's parameters to [-c, c] instead of the critic's."""
# fails: test_critic_step


# %% critic_step
def critic_step(G, D, opt_d, real, z, clip=0.01):
    fake = G(z).detach()
    loss = critic_loss(D(real), D(fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    with torch.no_grad():
        for p in G.parameters():
            p.clamp_(-clip, clip)
    return loss.item()
