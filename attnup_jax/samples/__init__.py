"""Small real test images shipped inside the package, as `skimage.data` ships
its sample images: the five Set5 images and one RGB-D-D test pair. Sources and
licences: `README.md` in this folder.

`DATA_DIR` is laid out like a data root (`sr/Set5/`, `depth/RGBDD/`), so the
evaluation code reads it as it reads the full sets:

    >>> from attnup_jax import samples
    >>> sorted(samples.set5())
    ['baby', 'bird', 'butterfly', 'head', 'woman']
    >>> from attnup_jax.evaluation.sr import evaluate_bicubic, sr_test_set
    >>> bicubic = evaluate_bicubic(sr_test_set("set5", 4, samples.DATA_DIR), 4)
    >>> round(bicubic["psnr"], 2)       # Set5 x4 bicubic, docs/RESULTS.md
    28.42

The full test sets: `attnup_jax.data.download`.
"""

from __future__ import annotations

import pathlib

import numpy as np

DATA_DIR = pathlib.Path(__file__).parent
SET5_NAMES = ("baby", "bird", "butterfly", "head", "woman")
RGBDD_ID = "20200708115226"   # the first pair of the project's RGB-D-D test split


def set5() -> dict[str, np.ndarray]:
  """Set5 at its original sizes: `{name: uint8 [H, W, 3]}`, sorted by name
  (baby 512x512, bird 288x288, butterfly 256x256, head 280x280, woman 344x228)."""
  from attnup_jax.data.sr.io import load_image_uint8
  return {n: load_image_uint8(DATA_DIR / "sr" / "Set5" / f"{n}.png")
          for n in SET5_NAMES}


def rgbdd_pair() -> dict:
  """One RGB-D-D pair (He et al. 2021), from the project's test split.

  Returns:
    {'id': str, 'rgb': uint8 `[384, 512, 3]`, 'depth': uint16 `[384, 512]`
    millimetres (0 = no measurement), 'units': 'mm', 'scale': 4000.0 (the
    depth the bundled depth models see as 1.0)}, as `RGBDD` records.
  """
  from attnup_jax.data.depth import _io
  from attnup_jax.data.depth.datasets import get_dataset
  dataset = get_dataset("rgbdd")
  root = DATA_DIR / "depth" / "RGBDD"
  return {"id": RGBDD_ID,
          "rgb": _io.read_rgb(root / "RGB" / f"{RGBDD_ID}_RGB.jpg"),
          "depth": _io.read_depth_png(root / "Depth" / f"{RGBDD_ID}_HR_gt.png",
                                      np.uint16),
          "units": dataset.units, "scale": dataset.scale}
