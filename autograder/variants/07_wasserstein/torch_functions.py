"""Uses torch.mean with the subtraction written the other way round, and torch.clamp(out=p) on each parameter."""


# %% wasserstein_losses
def critic_loss(real_scores, fake_scores):
    return -(torch.mean(real_scores) - torch.mean(fake_scores))


def generator_loss(fake_scores):
    return torch.mean(-fake_scores)


# %% critic_step
def critic_step(G, D, opt_d, real, z, clip=0.01):
    with torch.no_grad():
        fake = G(z)
    opt_d.zero_grad(set_to_none=True)
    loss = torch.mean(D(fake)) - torch.mean(D(real))
    loss.backward()
    opt_d.step()
    with torch.no_grad():
        for p in D.parameters():
            torch.clamp(p, -clip, clip, out=p)
    return float(loss)
