"""`attnup demo`: the README's main job, on scikit-image's bundled images."""

import re

import pytest
from flax import nnx

from attnup_jax import pretrained
from attnup_jax.cli import main as cli
from attnup_jax.models import build, sr_spec


@pytest.fixture
def tiny_weights(tmp_path, monkeypatch):
  """Bundled-weights folder with tiny random models (the real ones are trained)."""
  for up in ("attention", "deconv"):
    model = build(sr_spec(2, up, features=8), nnx.Rngs(0))
    pretrained.save(model, tmp_path / f"sr_x2_{up}", {})
  monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
  return tmp_path


def test_demo_writes_figure_and_psnr_table(tiny_weights, tmp_path, capsys):
  out = tmp_path / "demo"
  assert cli(["demo", "--images", "chelsea", "--out", str(out)]) == 0
  text = capsys.readouterr().out
  row = re.search(r"\| chelsea \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", text)
  assert row, text
  bicubic = float(row.group(1))
  assert 25 < bicubic < 45            # a real image, really downscaled and upscaled
  assert (out / "demo_x2_chelsea.png").stat().st_size > 10_000


def test_demo_without_weights_says_how_to_get_them(tmp_path, monkeypatch, capsys):
  monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
  assert cli(["demo", "--scale", "8", "--out", str(tmp_path / "d")]) == 2
  assert "train_sr_pretrained" in capsys.readouterr().err
