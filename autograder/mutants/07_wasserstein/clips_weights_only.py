"""Clamps only the critic's weights, leaving its biases unbounded."""
# fails: test_critic_step


# %% critic_step
def critic_step(G, D, opt_d, real, z, clip=0.01):
    fake = G(z).detach()
    loss = critic_loss(D(real), D(fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    with torch.no_grad():
        for name, p in D.named_parameters():
            if "weight" in name:
                p.clamp_(-clip, clip)
    return loss.item()
