"""`attnup upsample-depth` end to end, its input errors, tiled depth inference,
and `attnup evaluate --task depth` against the bicubic RMSE computed directly."""

import argparse
import itertools

import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

from attnup_jax import ops, pretrained
from attnup_jax.cli import main as cli
from attnup_jax.data.depth import pipeline
from attnup_jax.inference.depth import (predict_normalised, random_depth_model,
                                        upsample_depth)
from attnup_jax.metrics import depth as depth_metrics


def write_pair(tmp_path, h, w, factor, dtype=np.uint16, guide_size=None, seed=0):
  """A synthetic LR depth PNG `[h, w]` (one hole) and an RGB guide PNG."""
  rng = np.random.default_rng(seed)
  hi = 4000 if dtype == np.uint16 else 255
  depth = rng.integers(1, hi, (h, w)).astype(dtype)
  depth[0, 0] = 0
  gh, gw = guide_size or (factor * h, factor * w)
  guide = rng.integers(0, 256, (gh, gw, 3), dtype=np.uint8)
  dp, gp = tmp_path / "lr.png", tmp_path / "rgb.png"
  Image.fromarray(depth).save(dp)
  Image.fromarray(guide).save(gp)
  return dp, gp


def run(dp, gp, out, factor, *extra):
  return cli(["upsample-depth", "--depth", str(dp), "--guide", str(gp),
              "--factor", str(factor), "--out", str(out), *extra])


@pytest.mark.parametrize("dtype", [np.uint16, np.uint8])
def test_upsample_depth_random_init(tmp_path, capsys, dtype):
  dp, gp = write_pair(tmp_path, 6, 5, 8, dtype)
  out = tmp_path / "out" / "hr.png"
  rc = run(dp, gp, out, 8, "--random-init", "--model-name", "sa_m1_f8")
  captured = capsys.readouterr()
  assert rc == 0, captured.err
  assert "random-init" in captured.err and "WARNING" in captured.err
  with Image.open(out) as im:
    hr = np.asarray(im)
  if hr.dtype == np.int32:           # some PIL versions open 16-bit PNGs as 'I'
    hr = hr.astype(np.uint16)
  assert hr.shape == (48, 40) and hr.dtype == dtype
  with Image.open(out.with_name("hr_preview.png")) as im:
    assert im.size == (40, 48) and im.mode == "RGB"


def test_upsample_depth_size_mismatch(tmp_path, capsys):
  dp, gp = write_pair(tmp_path, 6, 5, 8, guide_size=(40, 48))
  rc = run(dp, gp, tmp_path / "o.png", 8, "--random-init")
  err = capsys.readouterr().err
  assert rc == 2
  assert "6x5" in err and "48x40" in err and "40x48" in err, err
  assert not (tmp_path / "o.png").exists()


def test_upsample_depth_factor_not_power_of_two(tmp_path, capsys):
  dp, gp = write_pair(tmp_path, 4, 4, 6)
  rc = run(dp, gp, tmp_path / "o.png", 6, "--random-init")
  err = capsys.readouterr().err
  assert rc == 2 and "power of two" in err and "6" in err, err


def test_upsample_depth_without_weights_says_what_to_pass(tmp_path, capsys,
                                                         monkeypatch):
  monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path / "no_weights")
  dp, gp = write_pair(tmp_path, 4, 4, 8)
  rc = run(dp, gp, tmp_path / "o.png", 8)
  err = capsys.readouterr().err
  assert rc == 2 and "--model" in err and "--random-init" in err, err


@pytest.mark.parametrize("factor", [4, 8, 16])
def test_upsample_depth_with_the_bundled_weights(tmp_path, capsys, factor):
  """The default model is the bundled SA M1 F32 of the factor; its output is
  in the input's units and keeps the measured LR samples' range."""
  assert f"depth_x{factor}_sa_m1_f32" in pretrained.available()
  dp, gp = write_pair(tmp_path, 4, 3, factor)
  out = tmp_path / "hr.png"
  rc = run(dp, gp, out, factor)
  assert rc == 0, capsys.readouterr().err
  with Image.open(out) as im:
    hr = np.asarray(im).astype(np.int64)
  assert hr.shape == (4 * factor, 3 * factor)
  assert 0 <= hr.min() and hr.max() <= 2 * 4000


def test_upsample_depth_errors_and_tiling(rng):
  model = random_depth_model("sa_m1_f8", 4, seed=1)
  depth = rng.uniform(100, 3000, (20, 12)).astype(np.float32)
  guide = rng.integers(0, 256, (80, 48, 3), dtype=np.uint8)
  with pytest.raises(ValueError, match="RGB image"):
    upsample_depth(model, depth, guide[..., :1], 4000)
  with pytest.raises(ValueError, match="80x48"):
    upsample_depth(model, depth, guide[:76], 4000)
  whole = upsample_depth(model, depth, guide, 4000)
  # Tiles of 8 LR pixels, each read with the whole image as context: the
  # space-to-depth packing of the guide must put every pixel back in place.
  tiled = upsample_depth(model, depth, guide, 4000, tile=8, halo=20)
  assert whole.shape == (80, 48) and whole.dtype == np.float32
  np.testing.assert_allclose(tiled, whole, rtol=1e-5, atol=1e-3)
  x = predict_normalised(model, depth[..., None] / np.float32(4000),
                         guide.astype(np.float32) / np.float32(255))
  np.testing.assert_allclose(whole, x[..., 0] * np.float32(4000), rtol=1e-6)


def test_evaluate_depth_bicubic_row(capsys):
  try:
    pairs = list(itertools.islice(pipeline.depth_eval_pairs("rgbdd", 8), 2))
  except (FileNotFoundError, ValueError) as e:
    pytest.skip(f"RGB-D-D not available: {e}")
  want = np.mean([
      float(depth_metrics.rmse(
          ops.bicubic_upsample(jnp.asarray(ex["depth_lr"]), 8)
          * jnp.float32(ex["scale"]), ex["depth_hr"], ex["valid"], 6))
      * ex["metric_scale"] for ex in pairs])
  from attnup_jax.evaluation.depth import main
  args = argparse.Namespace(checkpoint=None, datasets="rgbdd", factor=8,
                            data_dir=None, json=False, max_images=2)
  assert main(args) == 0
  out = capsys.readouterr().out
  row = next(line for line in out.splitlines() if line.startswith("| Bicubic (ours)"))
  cells = [c.strip() for c in row.strip("|").split("|")]
  assert cells[1] == "rgbdd (2 images)" and cells[2] == "cm"
  assert cells[3] == "-" and cells[5] == "-"
  assert float(cells[4]) == pytest.approx(want, abs=0.006)
  assert "NYU v2 (paper's numbers)" in out and "14.22" in out
