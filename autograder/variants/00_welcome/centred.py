"""Centres then scales: (x - 127.5) / 127.5."""


# %% to_tanh_range
def to_tanh_range(images):
    x = images.to(torch.float32)
    return (x - 127.5) / 127.5
