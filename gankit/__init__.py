"""gankit: the reference implementations of the gankit course on GANs.

Read a module after the lesson in which you wrote the same piece yourself:

    data      toy distributions (1-D mixtures, the 8-Gaussian ring, the 25-Gaussian grid)
    losses    GAN losses as pure functions of discriminator logits
    models    one module per GAN family (mlp, pacgan, ...)
    training  one explicit loop: a D step, a G step, seeding, checkpoints
    metrics   how good a generator is (mode coverage, ...)
    viz       the course's plots
    course    how a lesson runs and records its numbers
    grading   checks with clear messages, for the lessons' tests
"""

__version__ = "0.1.0"
