"""Writes both losses with F.logsigmoid and zeroes gradients first thing in each step."""


# %% d_step
def d_step(G, D, opt_d, real, z):
    opt_d.zero_grad()
    fake = G(z).detach()
    loss = -F.logsigmoid(D(real)).mean() - F.logsigmoid(-D(fake)).mean()
    loss.backward()
    opt_d.step()
    return loss.item()


# %% g_step
def g_step(G, D, opt_g, z):
    opt_g.zero_grad()
    loss = -F.logsigmoid(D(G(z))).mean()
    loss.backward()
    opt_g.step()
    return loss.item()
