"""gankit: the reference implementations of the gankit course on GANs.

Read a module after the lesson in which you wrote the same piece yourself:

    data      toy distributions (1-D mixtures, the 8-Gaussian ring, the 25-Gaussian grid) and
              image data sets (MNIST, Fashion-MNIST, CIFAR-10, scikit-learn's digits offline)
    losses    GAN losses as pure functions of discriminator logits
    models    one module per GAN family (mlp, pacgan, dcgan, ...)
    training  one explicit loop: a D step, a G step, seeding, checkpoints, an EMA of G
              (`checkpoint` saves and loads networks, with errors that name the mismatch)
    features  the small digit classifiers gankit trains itself, whose features metrics compare
    metrics   how good a generator is (mode coverage, Frechet distance, KID, precision/recall)
    viz       the course's plots, image grids and a live training figure
    widgets   sliders through a generator's latent space
    course    how a lesson runs and records its numbers
    grading   checks with clear messages, for the lessons' tests
"""

__version__ = "0.1.0"
