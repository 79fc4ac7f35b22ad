"""Evaluation metrics, pure functions: PSNR / SSIM on Y for super-resolution,
RMSE for depth, pixel losses. The test-set loops are `attnup_jax.evaluation`."""

from attnup_jax.metrics.loss import pixel_loss  # noqa: F401
from attnup_jax.metrics.sr import psnr_y, ssim_y  # noqa: F401
