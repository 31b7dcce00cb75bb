"""Uses nn.LeakyReLU() with PyTorch's default slope 0.01 instead of 0.2."""
# fails: test_discriminator_block


# %% discriminator_block
def discriminator_block(in_channels, out_channels, batch_norm=True):
    layers = [
        nn.Conv2d(
            in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=not batch_norm
        )
    ]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(nn.LeakyReLU())
    return nn.Sequential(*layers)
