"""F.gaussian_nll_loss with full=True (the constant), variance exp(2 log_std), summed over codes."""


# %% info_loss
def info_loss(cat_logits, cat, mean, log_std, cont, lambda_cat=1.0, lambda_cont=0.1):
    nll = F.gaussian_nll_loss(mean, cont, (2 * log_std).exp(), full=True, reduction="none")
    return (
        lambda_cat * F.nll_loss(F.log_softmax(cat_logits, dim=1), cat)
        + lambda_cont * nll.sum(1).mean()
    )
