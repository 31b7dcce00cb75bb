"""Writes the losses with log-sigmoid and log-softmax, and the projection through the embedding's weight matrix."""


# %% projection_logits
def projection_logits(features, labels, psi, embedding):
    projected = (features @ embedding.weight.T).gather(1, labels[:, None])  # (B, 1): e(y) . phi(x)
    return (projected + psi(features)).view(-1)


# %% ac_losses
def class_nll(class_logits, labels):
    return -F.log_softmax(class_logits, dim=1)[torch.arange(len(labels)), labels].mean()


def ac_d_loss(
    real_logits, real_class_logits, real_labels, fake_logits, fake_class_logits, fake_labels
):
    l_s = F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()
    l_c = -class_nll(real_class_logits, real_labels) - class_nll(fake_class_logits, fake_labels)
    return -(l_s + l_c)


def ac_g_loss(fake_logits, fake_class_logits, fake_labels):
    return -F.logsigmoid(fake_logits).mean() + class_nll(fake_class_logits, fake_labels)
