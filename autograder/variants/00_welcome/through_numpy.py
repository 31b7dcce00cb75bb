"""Computes in NumPy and converts back."""


# %% to_tanh_range
def to_tanh_range(images):
    import numpy as np

    return torch.from_numpy(images.numpy().astype(np.float32) * (2 / 255) - 1)
