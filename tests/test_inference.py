"""Tiled SR inference equals untiled inference; the upscale CLI end to end."""

import numpy as np
import pytest
from flax import nnx
from PIL import Image

from attnup_jax import pretrained
from attnup_jax.cli import main as cli
from attnup_jax.inference import run_tiled, upscale_image, upscale_y
from attnup_jax.models import build, sr_spec
from attnup_jax.models.sr import SuperResolutionNet


@pytest.fixture(scope="module")
def model():
  return build(sr_spec(4, "attention", features=8), nnx.Rngs(0))


def test_tiles_equal_untiled_output(rng):
  # x2 network: receptive field radius 5.5 LR pixels (head 1, ResBlock 2,
  # bilinear queries 1, 5x5 window 1, tail 0.5), so a halo of 8 is exact.
  model = SuperResolutionNet(2, "attention", features=8, rngs=nnx.Rngs(0))
  y = rng.uniform(size=(24, 20)).astype(np.float32)
  whole = upscale_y(model, y, tile=None)
  tiled = upscale_y(model, y, tile=12, halo=8)     # 2 x 2 tiles, cut inside
  assert whole.shape == tiled.shape == (48, 40)
  np.testing.assert_allclose(tiled, whole, atol=1e-5)
  # Too little context is visibly wrong: the halo really matters.
  assert np.abs(upscale_y(model, y, tile=12, halo=1) - whole).max() > 1e-3


def test_run_tiled_covers_every_pixel_once():
  x = np.arange(7 * 5, dtype=np.float32).reshape(7, 5, 1)
  up = run_tiled(lambda t: np.repeat(np.repeat(t, 2, 0), 2, 1), x, 2, tile=3, halo=0)
  np.testing.assert_array_equal(up[::2, ::2], x)


def test_rgb_and_grey_images(model, rng):
  rgb = rng.integers(0, 256, size=(10, 12, 3), dtype=np.uint8)
  out = upscale_image(model, rgb)
  assert out.shape == (40, 48, 3) and out.dtype == np.uint8
  assert upscale_image(model, rgb[..., 0]).shape == (40, 48)
  rgba = np.concatenate([rgb, np.full((10, 12, 1), 255, np.uint8)], -1)
  np.testing.assert_array_equal(upscale_image(model, rgba), out)


def test_upscale_cli_writes_images(model, tmp_path, rng):
  weights = pretrained.save(model, tmp_path / "w", {})
  paths = []
  for i in range(2):
    p = tmp_path / f"in{i}.png"
    Image.fromarray(rng.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)).save(p)
    paths.append(str(p))
  bad = tmp_path / "bad.png"
  bad.write_bytes(b"not a png")
  rc = cli(["upscale", *paths, str(bad), "--scale", "4", "--model", str(weights),
            "--out", str(tmp_path / "out"), "--tile", "5"])
  assert rc == 0
  out = np.asarray(Image.open(tmp_path / "out" / "in1_x4.png"))
  assert out.shape == (36, 44, 3)
  np.testing.assert_array_equal(
      out, upscale_image(model, np.asarray(Image.open(paths[1])), tile=None))
  assert cli(["upscale", paths[0], "--scale", "2", "--model", str(weights),
              "--out", str(tmp_path / "o2")]) == 2     # x4 model asked for x2
