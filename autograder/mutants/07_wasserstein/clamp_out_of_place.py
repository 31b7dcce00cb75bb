"""Calls p.data.clamp(-c, c), which returns a clamped copy and leaves the parameter as it was."""
# fails: test_critic_step


# %% critic_step
def critic_step(G, D, opt_d, real, z, clip=0.01):
    fake = G(z).detach()
    loss = critic_loss(D(real), D(fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    for p in D.parameters():
        p.data.clamp(-clip, clip)
    return loss.item()
