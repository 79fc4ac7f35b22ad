"""Evaluation metrics (PSNR / SSIM on Y for super-resolution, RMSE for depth)."""

from attnup_jax.metrics.sr import evaluate_bicubic, psnr_y, ssim_y  # noqa: F401
