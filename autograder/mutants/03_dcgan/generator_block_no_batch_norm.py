"""Leaves batch norm out of the generator block."""
# fails: test_generator_block


# %% generator_block
def generator_block(in_channels, out_channels):
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1),
        nn.ReLU(),
    )
