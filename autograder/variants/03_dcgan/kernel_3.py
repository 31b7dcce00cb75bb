"""Kernel 3 blocks: output_padding=1 makes the transposed convolution double the size all the same."""


# %% generator_block
def generator_block(in_channels, out_channels):
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, 3, 2, 1, output_padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


# %% discriminator_block
def discriminator_block(in_channels, out_channels, batch_norm=True):
    conv = nn.Conv2d(in_channels, out_channels, 3, 2, 1)
    if not batch_norm:
        return nn.Sequential(conv, nn.LeakyReLU(0.2, inplace=True))
    return nn.Sequential(conv, nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2, inplace=True))
