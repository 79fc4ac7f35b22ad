"""`attnup evaluate` (SR): the bicubic row is the validated protocol; a model row."""

import json

import pytest
from flax import nnx

from attnup_jax import pretrained
from attnup_jax.cli import main as cli
from attnup_jax.data.paths import data_root
from attnup_jax.metrics.sr import evaluate_bicubic
from attnup_jax.models.sr import SuperResolutionNet

try:
  SET5 = data_root() / "sr" / "Set5"
except FileNotFoundError:
  SET5 = None
needs_data = pytest.mark.skipif(SET5 is None or not SET5.is_dir(),
                                reason="benchmark data (../shared/data) not present")


@needs_data
def test_bicubic_row_equals_the_protocol_and_model_row_present(tmp_path, capsys):
  weights = pretrained.save(SuperResolutionNet(2, features=8, rngs=nnx.Rngs(0)),
                            tmp_path / "w", {"model": {"kind": "sr", "kwargs": {
                                "scale": 2, "upsampler": "attention", "features": 8}}})
  assert cli(["evaluate", "--datasets", "set5", "--scale", "2", "--json",
              "--checkpoint", str(weights)]) == 0
  out = json.loads(capsys.readouterr().out)
  want = evaluate_bicubic(SET5, 2)["mean_psnr"]
  assert out["set5"]["bicubic"]["psnr"] == pytest.approx(want, abs=1e-9)
  assert abs(want - 33.66) < 0.05
  assert 5 < out["set5"]["ours"]["psnr"] < 60     # an untrained model, but a real number


@needs_data
def test_table_layout_has_the_papers_columns(capsys):
  assert cli(["evaluate", "--datasets", "set5", "--scale", "4", "--max_images", "2"]) == 0
  text = capsys.readouterr().out
  assert "| set5 |" in text and "30.66" in text and "30.44" in text


def test_unknown_set_is_a_clear_error(capsys):
  assert cli(["evaluate", "--datasets", "set6", "--scale", "2"]) == 2
  assert "set6" in capsys.readouterr().err
