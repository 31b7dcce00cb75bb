"""Uses ReLU in the discriminator, where DCGAN uses LeakyReLU(0.2)."""
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
    layers.append(nn.ReLU())
    return nn.Sequential(*layers)
