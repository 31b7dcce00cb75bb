"""Initialises Conv2d layers only, leaving the generator's transposed convolutions at PyTorch's default."""
# fails: test_init_weights


# %% init_weights
def init_weights(module):
    if type(module) is nn.Conv2d:
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
