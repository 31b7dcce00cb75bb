"""Forgets the output activation: pixel values are unbounded."""
# fails: test_generator


# %% generator
class Generator(nn.Module):
    def __init__(self, z_dim=64, hidden=256, image_shape=(1, 28, 28)):
        super().__init__()
        self.z_dim, self.image_shape = z_dim, tuple(image_shape)
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, math.prod(image_shape)),
        )

    def sample_z(self, n, generator=None):
        z = torch.randn(n, self.z_dim, generator=generator)
        return z.to(next(self.parameters()).device)

    def forward(self, z):
        return self.net(z).view(-1, *self.image_shape)
