"""G minimises log(1 - D(G(z))), the saturating loss, whose gradient vanishes when D wins."""
# fails: test_ac_g_loss


# %% ac_losses
def ac_d_loss(
    real_logits, real_class_logits, real_labels, fake_logits, fake_class_logits, fake_labels
):
    source = F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return (
        source
        + F.cross_entropy(real_class_logits, real_labels)
        + F.cross_entropy(fake_class_logits, fake_labels)
    )


def ac_g_loss(fake_logits, fake_class_logits, fake_labels):
    return -F.binary_cross_entropy_with_logits(
        fake_logits, torch.zeros_like(fake_logits)
    ) + F.cross_entropy(fake_class_logits, fake_labels)
