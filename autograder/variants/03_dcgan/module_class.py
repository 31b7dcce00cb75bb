"""Blocks as nn.Module subclasses with a forward method."""


# %% generator_block
class UpBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False)
        self.norm = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.norm(self.conv(x)))


def generator_block(in_channels, out_channels):
    return UpBlock(in_channels, out_channels)


# %% discriminator_block
class DownBlock(nn.Module):
    def __init__(self, cin, cout, batch_norm):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 4, 2, 1)
        self.norm = nn.BatchNorm2d(cout) if batch_norm else nn.Identity()

    def forward(self, x):
        return F.leaky_relu(self.norm(self.conv(x)), negative_slope=0.2)


def discriminator_block(in_channels, out_channels, batch_norm=True):
    return DownBlock(in_channels, out_channels, batch_norm)
