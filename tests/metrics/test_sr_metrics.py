"""PSNR / SSIM on Y (SPEC Sec. 3) and the bicubic baseline (through the one
SR evaluation, `attnup_jax.evaluation.sr`) against published numbers."""

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from attnup_jax.data import paths
from attnup_jax.evaluation.sr import evaluate_bicubic, sr_test_set
from attnup_jax.metrics import sr


def test_psnr_hand_computed():
  hr = np.full((12, 12, 3), 100, np.uint8)  # Y = 16 + 219 * 100/255 = 101.9 -> 102
  out = np.full((12, 12, 3), 110, np.uint8)  # Y = 110.5 -> 110
  assert sr.psnr_y(hr, out, 2) == pytest.approx(10 * np.log10(255**2 / 64))
  # float inputs in [0, 1] are quantised first: the same numbers.
  assert sr.psnr_y(hr / 255.0, out / 255.0, 2) == pytest.approx(10 * np.log10(255**2 / 64))
  assert sr.psnr_y(hr, hr, 2) == float("inf")


def test_greyscale_compares_grey_values():
  hr = np.full((12, 12, 1), 100, np.uint8)
  out = np.full((12, 12, 1), 110, np.uint8)
  assert sr.psnr_y(hr, out, 2) == pytest.approx(10 * np.log10(255**2 / 100))
  assert sr.psnr_y(hr[..., 0], out[..., 0], 2) == pytest.approx(10 * np.log10(255**2 / 100))


def test_border_shave_and_modcrop(rng):
  hr = rng.integers(0, 256, (13, 14, 3), dtype=np.uint8)  # mod-cropped to 12x12 at x4
  out = hr[:12, :12].copy()
  out[:4] = 0
  out[:, -4:] = 255
  assert sr.psnr_y(hr, out, 4) == float("inf")  # only the shaved border differs
  out[5, 5] = 255 - out[5, 5]
  assert np.isfinite(sr.psnr_y(hr, out, 4))
  with pytest.raises(ValueError, match="shape"):
    sr.psnr_y(hr, hr, 4)  # not mod-cropped


def test_ssim_matches_skimage(rng):
  a = rng.integers(0, 256, (40, 37)).astype(np.float64)
  b = np.clip(a + rng.normal(0, 20, a.shape), 0, 255)
  want = structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                               use_sample_covariance=False, data_range=255)
  assert sr.ssim(a, b) == pytest.approx(want, abs=1e-10)
  assert sr.ssim(a, a) == pytest.approx(1.0)


def _test_set_or_skip(name, scale):
  try:
    paths.dataset_dir("sr", name)
  except FileNotFoundError as e:
    pytest.skip(f"SR benchmark data not found ({e}); set ATTNUP_DATA_DIR")
  return sr_test_set(name, scale)


@pytest.mark.parametrize("name,scale,published", [
    ("Set5", 2, 33.66), ("Set5", 4, 28.42), ("Set14", 2, 30.24), ("Set14", 4, 26.00)])
def test_bicubic_matches_published(name, scale, published):
  result = evaluate_bicubic(_test_set_or_skip(name, scale), scale)
  assert len(result["per_image"]) == {"Set5": 5, "Set14": 14}[name]
  assert result["psnr"] == pytest.approx(published, abs=0.05)
  assert 0.6 < result["ssim"] < 0.95
