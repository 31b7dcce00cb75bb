"""Treats log_std as a log variance: sigma^2 = exp(log_std) and log sigma = log_std / 2."""
# fails: test_info_loss


# %% info_loss
def info_loss(cat_logits, cat, mean, log_std, cont, lambda_cat=1.0, lambda_cont=0.1):
    nll = (
        0.5 * log_std
        + 0.5 * torch.log(torch.tensor(2 * torch.pi))
        + 0.5 * (cont - mean) ** 2 / log_std.exp()
    )
    return lambda_cat * F.cross_entropy(cat_logits, cat) + lambda_cont * nll.sum(dim=1).mean()
