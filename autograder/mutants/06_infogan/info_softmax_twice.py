"""Applies softmax before cross_entropy, which applies log-softmax itself."""
# fails: test_info_loss


# %% info_loss
def info_loss(cat_logits, cat, mean, log_std, cont, lambda_cat=1.0, lambda_cont=0.1):
    nll = (
        log_std
        + 0.5 * torch.log(torch.tensor(2 * torch.pi))
        + 0.5 * ((cont - mean) / log_std.exp()) ** 2
    )
    return (
        lambda_cat * F.cross_entropy(cat_logits.softmax(dim=1), cat)
        + lambda_cont * nll.sum(dim=1).mean()
    )
