"""Returns exp of the last outputs, a standard deviation, where the loss expects its log."""
# fails: test_q_head


# %% q_head
class QHead(nn.Module):
    def __init__(self, in_features, categories, continuous, hidden=128):
        super().__init__()
        self.sizes = [categories, continuous, continuous]
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.BatchNorm1d(hidden),
            nn.LeakyReLU(0.1),
            nn.Linear(hidden, categories + 2 * continuous),
        )

    def forward(self, features):
        cat_logits, mean, log_std = self.net(features).split(self.sizes, dim=1)
        return cat_logits, mean, log_std.exp()
