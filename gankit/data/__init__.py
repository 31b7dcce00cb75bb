"""Data for the course: toy mixtures of Gaussians (`toy`) and image data sets (`images`).

toy      GaussianMixture, mixture_1d, ring, grid: 1-D and 2-D mixtures with known densities
images   load_images, lesson_images: MNIST, Fashion-MNIST, CIFAR-10 and scikit-learn's
         digits as tensors in [-1, 1], offline unless asked to download
"""

from gankit.data.images import DownloadError, lesson_images, load_images
from gankit.data.toy import GaussianMixture, grid, mixture_1d, ring

__all__ = [
    "DownloadError",
    "GaussianMixture",
    "grid",
    "lesson_images",
    "load_images",
    "mixture_1d",
    "ring",
]
