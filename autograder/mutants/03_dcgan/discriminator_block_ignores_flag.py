"""Always adds batch norm, even when asked for a block without it (the first block)."""
# fails: test_discriminator_block


# %% discriminator_block
def discriminator_block(in_channels, out_channels, batch_norm=True):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.LeakyReLU(0.2),
    )
