"""`attnup upsample-depth` end to end, its input errors, tiled depth inference,
and `attnup evaluate --task depth` against the bicubic, JBU and GF RMSE computed
directly."""

import argparse
import itertools

import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

from attnup_jax import ops, pretrained
from attnup_jax.cli import main as cli
from attnup_jax.commands.upsample_depth import DEFAULT_NAME
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


def test_upsample_depth_all_holes_or_negative(tmp_path, capsys, rng):
  guide = rng.integers(0, 256, (32, 24, 3), dtype=np.uint8)
  Image.fromarray(guide).save(tmp_path / "rgb.png")
  Image.fromarray(np.zeros((4, 3), np.uint16)).save(tmp_path / "holes.png")
  rc = run(tmp_path / "holes.png", tmp_path / "rgb.png", tmp_path / "o.png", 8)
  err = capsys.readouterr().err
  assert rc == 2 and "no measured sample" in err and "3x4" in err, err
  assert not (tmp_path / "o.png").exists()
  bad = np.full((4, 3), 1000.0, np.float32)
  bad[1, 1] = -5.0
  np.save(tmp_path / "neg.npy", bad)
  rc = run(tmp_path / "neg.npy", tmp_path / "rgb.png", tmp_path / "o.png", 8)
  err = capsys.readouterr().err
  assert rc == 2 and ">= 0" in err and "-5.0" in err, err
  bad[1, 1] = np.nan
  model = random_depth_model("sa_m1_f8", 8, seed=0)
  with pytest.raises(ValueError, match="NaN"):
    upsample_depth(model, bad, guide, 4000)


def test_upsample_depth_without_weights_says_what_to_pass(tmp_path, capsys,
                                                         monkeypatch):
  monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path / "no_weights")
  dp, gp = write_pair(tmp_path, 4, 4, 8)
  rc = run(dp, gp, tmp_path / "o.png", 8)
  err = capsys.readouterr().err
  assert rc == 2 and "--model" in err and "--random-init" in err, err


@pytest.mark.parametrize("factor", [4, 8, 16])
def test_upsample_depth_with_the_bundled_weights(tmp_path, capsys, factor):
  """The default model is the bundled bilateral attention of the factor; its
  output is in the input's units and keeps the measured LR samples' range."""
  assert DEFAULT_NAME == "bilateral_attention"
  assert f"depth_x{factor}_{DEFAULT_NAME}" in pretrained.available()
  dp, gp = write_pair(tmp_path, 4, 3, factor)
  out = tmp_path / "hr.png"
  rc = run(dp, gp, out, factor)
  assert rc == 0, capsys.readouterr().err
  with Image.open(out) as im:
    hr = np.asarray(im).astype(np.int64)
  assert hr.shape == (4 * factor, 3 * factor)
  assert 0 <= hr.min() and hr.max() <= 2 * 4000


@pytest.mark.parametrize("factor", [4, 8, 16])
def test_upsample_depth_default_on_the_bundled_pair(tmp_path, capsys, factor):
  """`attnup upsample-depth` with no model option, on the RGB-D-D pair that
  ships with the package (a test-split image, grid-sampled LR), writes what
  the bundled default model computes, and that beats bicubic by 10% and the
  library's JBU on it (RMSE in cm, the evaluation's 6-pixel border)."""
  from attnup_jax import samples
  from attnup_jax.baselines import classical_predicts
  from attnup_jax.data.depth import lr_by_grid
  pair = samples.rgbdd_pair()
  lr = lr_by_grid(pair["depth"], factor)
  dp, gp, out = tmp_path / "lr.png", tmp_path / "rgb.png", tmp_path / "hr.png"
  Image.fromarray(lr).save(dp)
  Image.fromarray(pair["rgb"]).save(gp)
  rc = run(dp, gp, out, factor)
  assert rc == 0, capsys.readouterr().err
  with Image.open(out) as im:
    cli_hr = np.asarray(im).astype(np.float32)
  model = pretrained.load(f"depth_x{factor}_{DEFAULT_NAME}")
  direct = upsample_depth(model, lr, pair["rgb"], pair["scale"])
  np.testing.assert_allclose(cli_hr, np.clip(np.round(direct), 0, 65535), atol=1)
  gt, units = pair["depth"], pair["units"]
  rmse = lambda d: float(depth_metrics.rmse_cm(d, gt, units, border=6))
  bicubic = np.asarray(depth_metrics.bicubic_upsample_depth(
      jnp.asarray(lr, jnp.float32)[..., None], factor))[..., 0]
  jbu = np.asarray(classical_predicts(factor)["JBU"](
      jnp.asarray(lr, jnp.float32)[None, ..., None],
      jnp.asarray(pair["rgb"], jnp.float32)[None] / 255))[0, ..., 0]
  assert rmse(cli_hr) == pytest.approx(rmse(direct), abs=0.005)
  assert rmse(cli_hr) < 0.9 * rmse(bicubic), (rmse(cli_hr), rmse(bicubic))
  assert rmse(cli_hr) < rmse(jbu), (rmse(cli_hr), rmse(jbu))


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
  # The classical rows (paper Table II), each against the filter called directly.
  from attnup_jax.baselines import (GF_PARAMS, JBU_PARAMS, guided_filter_upsample,
                                    jbu_upsample)
  for name, fn in (("JBU", lambda d, g: jbu_upsample(d, g, 8, **JBU_PARAMS[8])),
                   ("GF", lambda d, g: guided_filter_upsample(d, g, 8, **GF_PARAMS[8]))):
    want = np.mean([
        float(depth_metrics.rmse(
            fn(jnp.asarray(ex["depth_lr"])[None], jnp.asarray(ex["guide"])[None])[0]
            * jnp.float32(ex["scale"]), ex["depth_hr"], ex["valid"], 6))
        * ex["metric_scale"] for ex in pairs])
    row = next(line for line in out.splitlines() if line.startswith(f"| {name} (ours)"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "rgbdd (2 images)" and cells[3] == "-"
    assert float(cells[4]) == pytest.approx(want, abs=0.006)
