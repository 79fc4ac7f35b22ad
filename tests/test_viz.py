"""`attnup_jax.viz`: figures are built, saved, have the expected panels; depth
colours are monotone with holes black; training curves read JSONL logs."""

import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from attnup_jax import viz  # noqa: E402


def _images(rng, h=24, w=32):
  gt = rng.random((h, w, 3)).astype(np.float32)
  noisy = lambda s: np.clip(gt + s * rng.standard_normal(gt.shape), 0, 1).astype(np.float32)
  return {"bicubic": noisy(0.2), "deconvolution": noisy(0.1),
          "attention": noisy(0.05), "ground truth": gt}


def test_compare_figure_panels_psnr_and_save(rng, tmp_path):
  images = _images(rng)
  out = tmp_path / "cmp.png"
  fig = viz.compare_figure(images, [(2, 3, 8, 8), (10, 20, 6, 10)],
                           reference="ground truth", path=out)
  assert len(fig.axes) == 4 * 3
  assert out.is_file() and out.stat().st_size > 1000
  titles = [ax.get_title() for ax in fig.axes[:4]]
  # Less noise -> higher PSNR in the titles; the reference has none.
  db = [float(t.split("\n")[1].split()[0]) for t in titles[:3]]
  assert db[0] < db[1] < db[2]
  assert titles[3] == "ground truth"
  # Each crop shows exactly the boxed pixels.
  crop = fig.axes[4 + 1].get_images()[0].get_array()
  np.testing.assert_allclose(crop, images["deconvolution"][2:10, 3:11], atol=1e-6)


def test_compare_figure_protocol_psnr_and_grey(rng):
  gt = rng.random((20, 20)).astype(np.float32)
  est = np.clip(gt + 0.05, 0, 1)
  from attnup_jax.metrics import psnr_y
  fig = viz.compare_figure({"est": est, "gt": gt}, reference="gt", scale=2)
  assert f"{psnr_y(gt, est, 2):.2f} dB" in fig.axes[0].get_title()
  assert len(fig.axes) == 2


def test_compare_figure_errors(rng):
  with pytest.raises(ValueError, match="zoom box"):
    viz.compare_figure(_images(rng), [(20, 0, 8, 8)])
  with pytest.raises(ValueError, match="height and width"):
    viz.compare_figure({"a": np.zeros((4, 4)), "b": np.zeros((4, 5))})


def test_attention_maps_from_layer(tmp_path):
  import jax.numpy as jnp
  from flax import nnx
  from attnup_jax.nn import AttentionUpsample
  layer = AttentionUpsample(3, 4, kernel_size=5, strides=2, rngs=nnx.Rngs(0))
  x = jnp.asarray(np.random.default_rng(1).random((1, 8, 8, 3), np.float32))
  y, w = layer(x, return_weights=True)
  pixels = [(0, 0), (5, 6), (15, 15)]
  fig = viz.attention_maps(w[0], pixels, 5, image=y[0, ..., :3].clip(0, 1),
                           conv_kernel=np.ones((5, 5, 4, 4), np.float32),
                           path=tmp_path / "att.png")
  assert len(fig.axes) == 3 * 3
  assert (tmp_path / "att.png").is_file()
  heat = fig.axes[1].get_images()[0].get_array()
  np.testing.assert_allclose(heat, np.asarray(w[0, 0, 0]).reshape(5, 5), atol=1e-6)
  np.testing.assert_allclose(heat.sum(), 1.0, atol=1e-5)
  assert len(viz.attention_maps(w[0], pixels[:1], 5).axes) == 1
  with pytest.raises(ValueError, match="K\\*K"):
    viz.attention_maps(w[0], pixels, 3)


def test_colorize_depth_holes_black_and_monotone():
  depth = np.linspace(0.5, 10.0, 64, dtype=np.float32).reshape(8, 8)
  depth[0, :3] = 0.0
  depth[1, 1] = np.nan
  rgb = viz.colorize_depth(depth, cmap="gray")
  assert rgb.dtype == np.uint8 and rgb.shape == (8, 8, 3)
  assert (rgb[0, :3] == 0).all() and (rgb[1, 1] == 0).all()
  # A grey map is monotone in depth: brightness never decreases.
  valid = np.isfinite(depth) & (depth > 0)
  order = np.argsort(depth[valid])
  grey = rgb[valid][order, 0].astype(int)
  assert (np.diff(grey) >= 0).all() and grey[-1] > grey[0]
  # An explicit mask and range: clipped ends, extra holes.
  mask = valid & (depth < 9)
  rgb2 = viz.colorize_depth(depth[..., None], valid=mask, vmin=2, vmax=8)
  assert (rgb2[~mask] == 0).all()
  assert (rgb2[mask & (depth <= 2)] == rgb2[mask & (depth <= 2)][0]).all()
  assert rgb2[mask].any(axis=-1).all()   # turbo has no black, holes only


def test_training_curves_reads_jsonl(tmp_path):
  paths = []
  for name, slope in (("attention", 1.0), ("deconv", 0.5)):
    d = tmp_path / name
    d.mkdir()
    with open(d / "metrics.jsonl", "w") as f:
      for step in range(0, 100, 10):
        f.write(json.dumps({"step": step, "loss": 1.0 / (1 + slope * step)}) + "\n")
        if step % 20 == 0:
          f.write(json.dumps({"step": step, "psnr": 20 + slope * step / 10}) + "\n")
      f.write("\n")
      f.write(json.dumps({"note": "no step"}) + "\n")
    paths.append(d / "metrics.jsonl")
  out = tmp_path / "curves.pdf"
  fig = viz.training_curves(paths, keys=("loss", "psnr"), path=out)
  assert len(fig.axes) == 2 and out.is_file()
  loss_ax, psnr_ax = fig.axes
  assert [line.get_label() for line in loss_ax.get_lines()] == ["attention", "deconv"]
  x, y = psnr_ax.get_lines()[1].get_data()
  np.testing.assert_allclose(x, [0, 20, 40, 60, 80])
  np.testing.assert_allclose(y, 20 + 0.5 * np.array(x) / 10)
  assert len(viz.training_curves(paths[0], keys=("loss",)).axes) == 1
  (tmp_path / "bad.jsonl").write_text('{"step": 1}\n{oops\n')
  with pytest.raises(ValueError, match="bad.jsonl:2"):
    viz.read_jsonl(tmp_path / "bad.jsonl")


def test_figure_to_array():
  fig = viz.compare_figure({"a": np.zeros((4, 4, 3), np.uint8)}, panel_size=1.0)
  arr = viz.figure_to_array(fig, dpi=50)
  assert arr.dtype == np.uint8 and arr.shape == (50, 50, 4)


def test_window_samples_are_the_grid_window():
  """The dots sit on the LR samples `baselines._grid.window` gathers: LR value
  at HR position (y, x) = (M*m, M*n) is read back at each drawn position."""
  import jax.numpy as jnp
  from attnup_jax.baselines import _grid
  m, h, w = 4, 6, 7
  lr = (100 * np.arange(h)[:, None] + np.arange(w)[None, :]).astype(np.float32)
  nb, inside = _grid.window(jnp.asarray(lr)[..., None])       # [h, w, 16, 1]
  for i, j in [(0, 0), (9, 13), (23, 27), (12, 3)]:
    at = viz.window_samples(i, j, m).reshape(16, 2)
    for t, (y, x) in enumerate(at):
      if inside[i // m, j // m, t]:
        assert y % m == 0 and x % m == 0
        assert nb[i // m, j // m, t, 0] == lr[y // m, x // m], (i, j, t)
      else:
        assert not (0 <= y < m * h and 0 <= x < m * w), (i, j, t)


def test_lr_window_maps_from_model(tmp_path):
  import jax.numpy as jnp
  from flax import nnx
  from attnup_jax.models.depth_bilateral import BilateralAttentionUpsampler
  rng = np.random.default_rng(0)
  depth = jnp.asarray(rng.uniform(0.2, 0.4, (1, 4, 5, 1)), jnp.float32)
  guide = jnp.asarray(rng.random((1, 16, 20, 3)), jnp.float32)
  model = BilateralAttentionUpsampler(4, channels=(8,), rngs=nnx.Rngs(0))
  _, w = model(depth, guide, return_weights=True)
  pixels = [(0, 0), (9, 10), (15, 19)]
  fig = viz.lr_window_maps({"model": w[0], "flat": np.full(w[0].shape, 1 / 16)}, pixels, 4,
                           image=guide[0], path=tmp_path / "lr.png")
  assert len(fig.axes) == 3 * 3 and (tmp_path / "lr.png").is_file()
  heat = fig.axes[1].get_images()[0].get_array()
  np.testing.assert_allclose(heat, np.asarray(w[0, 0, 0]).reshape(4, 4), atol=1e-6)
  np.testing.assert_allclose(heat.sum(), 1.0, atol=1e-5)
  assert len(viz.lr_window_maps({"model": w[0]}, pixels[:1], 4).axes) == 1
  with pytest.raises(ValueError, match="16"):
    viz.lr_window_maps({"model": w[0, ..., :9]}, pixels, 4)
  with pytest.raises(ValueError, match="outside"):
    viz.lr_window_maps({"model": w[0]}, [(16, 0)], 4)
  with pytest.raises(ValueError, match="multiple of factor"):
    viz.lr_window_maps({"model": w[0]}, pixels, 3)
