"""Applies ReLU before batch norm, so the block's output is normalised but never rectified."""
# fails: test_generator_block


# %% generator_block
def generator_block(in_channels, out_channels):
    return nn.Sequential(
        nn.ConvTranspose2d(
            in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False
        ),
        nn.ReLU(),
        nn.BatchNorm2d(out_channels),
    )
