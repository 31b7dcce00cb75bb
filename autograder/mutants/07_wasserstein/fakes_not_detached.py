"""Does not detach the fakes: the critic's backward pass also fills G's gradients."""
# fails: test_critic_step


# %% critic_step
def critic_step(G, D, opt_d, real, z, clip=0.01):
    fake = G(z)
    loss = critic_loss(D(real), D(fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    with torch.no_grad():
        for p in D.parameters():
            p.clamp_(-clip, clip)
    return loss.item()
