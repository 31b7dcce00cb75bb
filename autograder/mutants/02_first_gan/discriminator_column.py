"""Returns logits of shape (B, 1) instead of (B,)."""
# fails: test_discriminator


# %% discriminator
class Discriminator(nn.Module):
    def __init__(self, hidden=256, image_shape=(1, 28, 28)):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(math.prod(image_shape), hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)
