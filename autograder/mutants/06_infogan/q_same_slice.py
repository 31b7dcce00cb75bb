"""Slices mean and log_std from the same columns, so they cannot be learned separately."""
# fails: test_q_head


# %% q_head
class QHead(nn.Module):
    def __init__(self, in_features, categories, continuous, hidden=128):
        super().__init__()
        self.categories, self.continuous = categories, continuous
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.BatchNorm1d(hidden),
            nn.LeakyReLU(0.1),
            nn.Linear(hidden, categories + 2 * continuous),
        )

    def forward(self, features):
        out = self.net(features)
        k, n = self.categories, self.continuous
        return out[:, :k], out[:, k : k + n], out[:, k : k + n]
