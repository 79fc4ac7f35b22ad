"""Evaluation metrics (PSNR / SSIM on Y for super-resolution, RMSE for depth)."""
