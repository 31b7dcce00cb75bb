"""Uses stride 1 in the transposed convolution: the block does not double the size."""
# fails: test_generator_block


# %% generator_block
def generator_block(in_channels, out_channels):
    return nn.Sequential(
        nn.ConvTranspose2d(
            in_channels, out_channels, kernel_size=4, stride=1, padding=1, bias=False
        ),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )
