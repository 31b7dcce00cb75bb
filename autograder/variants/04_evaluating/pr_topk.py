"""Precision and recall with topk and sorted distances, as a tuple of tensors."""


# %% precision_recall
def precision_recall(real_feats, fake_feats, k=3):
    real, fake = real_feats.double(), fake_feats.double()
    r_real = torch.cdist(real, real).topk(k + 1, largest=False).values[:, -1]
    r_fake = torch.cdist(fake, fake).topk(k + 1, largest=False).values[:, -1]
    precision = (torch.cdist(fake, real) <= r_real).any(1).double().mean()
    recall = (torch.cdist(real, fake) <= r_fake).any(1).double().mean()
    return precision, recall
