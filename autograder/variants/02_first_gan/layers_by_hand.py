"""Writes each layer as an attribute, uses ReLU and batch norm in G, dropout in D, and reshapes with unflatten."""


# %% generator
class Generator(nn.Module):
    def __init__(self, z_dim=64, hidden=256, image_shape=(1, 28, 28)):
        super().__init__()
        self.z_dim, self.image_shape = z_dim, tuple(image_shape)
        self.fc1 = nn.Linear(z_dim, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.bn2 = nn.BatchNorm1d(hidden)
        self.out = nn.Linear(hidden, image_shape[0] * image_shape[1] * image_shape[2])

    def sample_z(self, n, generator=None):
        z = torch.randn(n, self.z_dim, generator=generator)
        return z.to(next(self.parameters()).device)

    def forward(self, z):
        h = torch.relu(self.bn1(self.fc1(z)))
        h = torch.relu(self.bn2(self.fc2(h)))
        return torch.tanh(self.out(h)).unflatten(1, self.image_shape)


# %% discriminator
class Discriminator(nn.Module):
    def __init__(self, hidden=256, image_shape=(1, 28, 28)):
        super().__init__()
        self.image_shape = tuple(image_shape)
        size = image_shape[0] * image_shape[1] * image_shape[2]
        self.fc1, self.fc2, self.fc3 = (
            nn.Linear(size, hidden),
            nn.Linear(hidden, hidden),
            nn.Linear(hidden, 1),
        )
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        h = self.drop(F.leaky_relu(self.fc1(x.flatten(1)), 0.2))
        h = self.drop(F.leaky_relu(self.fc2(h), 0.2))
        return self.fc3(h).view(-1)
