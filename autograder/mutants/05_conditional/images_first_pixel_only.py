"""Writes e(y) into the top-left pixel of each extra channel and leaves the rest zero."""
# fails: test_condition_images


# %% condition_images
def condition_images(images, labels, embedding):
    e = embedding(labels)
    maps = torch.zeros(images.shape[0], e.shape[1], images.shape[2], images.shape[3])
    maps[:, :, 0, 0] = e
    return torch.cat([images, maps], dim=1)
