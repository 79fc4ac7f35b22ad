"""Reading images: greyscale, RGBA, 16-bit, palette, corrupt files, listing."""

import numpy as np
import pytest
from PIL import Image

from attnup_jax.data.sr import io


def test_greyscale(tmp_path, rng):
  g = rng.integers(0, 256, (6, 5), dtype=np.uint8)
  Image.fromarray(g, mode="L").save(tmp_path / "g.png")
  img = io.load_image(tmp_path / "g.png")
  assert img.shape == (6, 5, 3) and img.dtype == np.float32
  np.testing.assert_allclose(img[..., 2], g / 255.0, atol=1e-7)
  assert io.load_image(tmp_path / "g.png", keep_grey=True).shape == (6, 5, 1)
  u8 = io.load_image_uint8(tmp_path / "g.png")
  assert u8.shape == (6, 5, 1) and u8.dtype == np.uint8
  np.testing.assert_array_equal(u8[..., 0], g)


def test_rgba_drops_alpha(tmp_path, rng):
  a = rng.integers(0, 256, (4, 3, 4), dtype=np.uint8)
  Image.fromarray(a, mode="RGBA").save(tmp_path / "a.png")
  np.testing.assert_array_equal(io.load_image_uint8(tmp_path / "a.png"), a[..., :3])
  np.testing.assert_allclose(io.load_image(tmp_path / "a.png"), a[..., :3] / 255.0, atol=1e-7)


def test_16bit(tmp_path):
  a = np.array([[0, 1000, 65535], [32768, 257, 12345]], np.uint16)
  Image.fromarray(a).save(tmp_path / "d.png")
  img = io.load_image(tmp_path / "d.png", keep_grey=True)
  assert img.shape == (2, 3, 1)
  np.testing.assert_allclose(img[..., 0], a / 65535.0, rtol=1e-6)
  np.testing.assert_array_equal(io.load_image_uint8(tmp_path / "d.png")[..., 0],
                                np.floor(a * 255.0 / 65535.0 + 0.5))


def test_palette(tmp_path, rng):
  rgb = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
  p = Image.fromarray(rgb).quantize(colors=16)
  p.save(tmp_path / "p.png")
  want = np.asarray(p.convert("RGB"))
  np.testing.assert_array_equal(io.load_image_uint8(tmp_path / "p.png"), want)
  assert io.load_image(tmp_path / "p.png").shape == (8, 8, 3)


def test_corrupt_file_names_path(tmp_path):
  bad = tmp_path / "broken.png"
  bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
  with pytest.raises(ValueError, match="broken.png"):
    io.load_image(bad)
  with pytest.raises(ValueError, match="broken.png"):
    io.load_image_uint8(bad)


def test_list_images_sorted(tmp_path):
  for name in ["b.png", "a.BMP", "c.txt", "d.jpg"]:
    (tmp_path / name).write_bytes(b"")
  (tmp_path / "sub.png").mkdir()
  assert [p.name for p in io.list_images(tmp_path)] == ["a.BMP", "b.png", "d.jpg"]
  with pytest.raises(FileNotFoundError):
    io.list_images(tmp_path / "missing")
