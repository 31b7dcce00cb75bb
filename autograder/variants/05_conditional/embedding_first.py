"""Puts the label first: [e(y), z] and e(y)'s channels before the image's, which the networks learn as well."""


# %% condition_latent
def condition_latent(z, labels, embedding):
    return torch.hstack((embedding(labels), z))


# %% condition_images
def condition_images(images, labels, embedding):
    b, _, h, w = images.shape
    return torch.cat([embedding(labels).view(b, -1, 1, 1).repeat(1, 1, h, w), images], 1)
