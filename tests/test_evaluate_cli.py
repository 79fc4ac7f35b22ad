"""`attnup evaluate` (SR): the bicubic row is the validated protocol; a model row."""

import json

import pytest
from flax import nnx

from attnup_jax import pretrained
from attnup_jax.cli import main as cli
from attnup_jax.data.paths import data_root
from attnup_jax.evaluation.sr import evaluate_bicubic, evaluate_sr, sr_test_set
from attnup_jax.models import build, sr_spec

try:
  SET5 = data_root() / "sr" / "Set5"
except FileNotFoundError:
  SET5 = None
needs_data = pytest.mark.skipif(SET5 is None or not SET5.is_dir(),
                                reason="benchmark data (../shared/data) not present")


@needs_data
def test_bicubic_row_equals_the_protocol_and_model_row_present(tmp_path, capsys):
  model = build(sr_spec(2, features=8), nnx.Rngs(0))
  weights = pretrained.save(model, tmp_path / "w", {})
  assert cli(["evaluate", "--datasets", "set5", "--scale", "2", "--json",
              "--checkpoint", str(weights)]) == 0
  out = json.loads(capsys.readouterr().out)
  pairs = sr_test_set("set5", 2)
  want = evaluate_bicubic(pairs, 2)["psnr"]
  assert out["set5"]["bicubic"]["psnr"] == pytest.approx(want, abs=1e-9)
  assert abs(want - 33.66) < 0.05
  assert 5 < out["set5"]["ours"]["psnr"] < 60     # an untrained model, but a real number
  # The model row is the one evaluation path, batched or not, on a model or
  # on a predict function.
  direct = evaluate_sr(model, pairs, 2, batch_size=1)
  assert out["set5"]["ours"]["psnr"] == pytest.approx(direct["psnr"], abs=1e-9)
  assert out["set5"]["ours"]["ssim"] == pytest.approx(direct["ssim"], abs=1e-9)


@needs_data
def test_table_layout_has_the_papers_columns(capsys):
  assert cli(["evaluate", "--datasets", "set5", "--scale", "4", "--max_images", "2"]) == 0
  text = capsys.readouterr().out
  assert "| set5 |" in text and "30.66" in text and "30.44" in text


def test_unknown_set_is_a_clear_error(capsys):
  assert cli(["evaluate", "--datasets", "set6", "--scale", "2"]) == 2
  assert "set6" in capsys.readouterr().err
