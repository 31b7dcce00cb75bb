"""Clamps the critic's parameters before the optimiser step, which then moves them out of the box."""
# fails: test_critic_step


# %% critic_step
def critic_step(G, D, opt_d, real, z, clip=0.01):
    fake = G(z).detach()
    loss = critic_loss(D(real), D(fake))
    opt_d.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in D.parameters():
            p.clamp_(-clip, clip)
    opt_d.step()
    return loss.item()
