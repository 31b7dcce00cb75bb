"""A shared hidden layer with three separate linear heads, one per output."""


# %% q_head
class QHead(nn.Module):
    def __init__(self, in_features, categories, continuous, hidden=128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(in_features, hidden), nn.BatchNorm1d(hidden), nn.LeakyReLU(0.1)
        )
        self.cat = nn.Linear(hidden, categories)
        self.mean = nn.Linear(hidden, continuous)
        self.log_std = nn.Linear(hidden, continuous)

    def forward(self, features):
        h = self.body(features)
        return self.cat(h), self.mean(h), self.log_std(h)
