"""TensorFlow-free TFDS builders: build into a temp dir, read back with
`tfds.data_source` / `as_data_source`, never importing TensorFlow."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from attnup_jax.data import paths
from attnup_jax.data.sr import builders, io


def test_build_from_manual_folder_with_greyscale(tmp_path, rng):
  folder = tmp_path / "manual" / "Set14"
  folder.mkdir(parents=True)
  rgb = rng.integers(0, 256, (9, 7, 3), dtype=np.uint8)
  grey = rng.integers(0, 256, (5, 6), dtype=np.uint8)
  Image.fromarray(rgb).save(folder / "b_rgb.png")
  Image.fromarray(grey).save(folder / "a_grey.png")
  b = builders.builder("Set14", data_dir=str(tmp_path / "tfds"))
  b.download_and_prepare(
      download_config=tfds.download.DownloadConfig(manual_dir=str(tmp_path / "manual")))
  src = tfds.data_source("attnup_sr_set14", data_dir=str(tmp_path / "tfds"), split="test")
  assert len(src) == 2
  name0, img0 = builders.read_example(src[0])
  name1, img1 = builders.read_example(src[1])
  assert (name0, name1) == ("a_grey", "b_rgb")  # sorted file order kept
  np.testing.assert_array_equal(img0, grey[..., None])
  np.testing.assert_array_equal(img1, rgb)
  assert src[0]["image"].shape == (5, 6, 3) and src[0]["image"].dtype == np.uint8
  assert b.info.homepage and "Zeyde" in b.info.citation
  assert any("denoising_datasets" in u for u in b.info.metadata["download_urls"])


def test_build_set5_from_data_dir(tmp_path):
  try:
    root = paths.data_root()
    set5 = paths.dataset_dir("sr", "Set5")
  except FileNotFoundError as e:
    pytest.skip(f"SR benchmark data not found ({e}); set ATTNUP_DATA_DIR")
  b = builders.builder("Set5", data_dir=str(tmp_path))
  b.download_and_prepare(
      download_config=tfds.download.DownloadConfig(manual_dir=str(root)))
  src = b.as_data_source(split="test")
  files = io.list_images(set5)
  assert len(src) == len(files) == 5
  for i, f in enumerate(files):
    name, img = builders.read_example(src[i])
    assert name == f.stem
    np.testing.assert_array_equal(img, io.load_image_uint8(f))


def test_reading_needs_no_tensorflow(tmp_path, rng):
  folder = tmp_path / "Set5"
  folder.mkdir()
  Image.fromarray(rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)).save(folder / "x.png")
  # A fresh interpreter: build and read, then check TensorFlow was never imported.
  code = textwrap.dedent(f"""
      import sys
      import tensorflow_datasets as tfds
      from attnup_jax.data.sr import builders
      b = builders.builder("Set5", data_dir={str(tmp_path / 'tfds')!r})
      b.download_and_prepare(download_config=tfds.download.DownloadConfig(
          manual_dir={str(folder)!r}))
      src = tfds.data_source("attnup_sr_set5", data_dir={str(tmp_path / 'tfds')!r},
                             split="test")
      assert builders.read_example(src[0])[0] == "x"
      assert "tensorflow" not in sys.modules, "TensorFlow was imported"
      print("ok")
  """)
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
  assert out.returncode == 0, out.stderr[-2000:]
  assert out.stdout.strip().endswith("ok")


def test_unknown_name():
  with pytest.raises(ValueError, match="unknown SR dataset"):
    builders.builder("Urban100", data_dir="/tmp/unused")
