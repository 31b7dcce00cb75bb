"""Draws the batch-norm scales from N(0, 0.02) like the convolutions, which silences every channel."""
# fails: test_init_weights


# %% init_weights
def init_weights(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    if isinstance(module, nn.BatchNorm2d):
        nn.init.zeros_(module.bias)
