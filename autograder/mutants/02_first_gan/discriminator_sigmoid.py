"""Ends the discriminator in a sigmoid: it returns probabilities, not logits."""
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
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x).squeeze(1)
