"""The real entry point on real data: `python -m train --config configs/sr.py:...,quick`."""

import json
import math
import subprocess
import sys

import pytest

from conftest import REPO, subprocess_env
from train import logs


@pytest.mark.slow
def test_sr_quick_end_to_end(tmp_path):
  from attnup_jax.data import paths  # pylint: disable=g-import-not-at-top
  try:
    data_root = paths.data_root()
  except FileNotFoundError as e:
    pytest.skip(str(e))
  env = subprocess_env()
  env["ATTNUP_DATA_DIR"] = str(data_root)
  cmd = [sys.executable, "-m", "train", "--config",
         "configs/sr.py:x2_attention_t91,quick", "--workdir", str(tmp_path)]
  out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=300)
  assert out.returncode == 0, out.stderr[-4000:]
  assert "final eval: loss=" in out.stdout
  train = logs.read_metrics(tmp_path, "train")
  evals = logs.read_metrics(tmp_path, "eval")
  assert [r["step"] for r in train] == [1, 2, 3, 4, 5, 6]
  assert [r["step"] for r in evals] == [3, 6]
  assert all(math.isfinite(r["loss"]) for r in train)
  assert all(10 < r["psnr"] < 60 and 0 < r["ssim"] <= 1 for r in evals)
  assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["3", "6"]
  assert len(list((tmp_path / "best").iterdir())) == 1
  assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
  assert json.loads((tmp_path / "config.json").read_text())["model"]["scale"] == 2
  # The workdir loads back as a model that runs under nnx.jit (what `attnup
  # evaluate --checkpoint <workdir>` and scripts/ship_weights.py do).
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from attnup_jax.inference import load_model  # pylint: disable=g-import-not-at-top
  model = load_model(str(tmp_path))
  best = max(evals, key=lambda r: r["psnr"])
  assert model.train_step == best["step"]
  assert dict(model.train_metrics)["psnr"] == pytest.approx(best["psnr"])
  out = nnx.jit(lambda m, x: m(x))(model, jnp.zeros((1, 8, 8, 1)))
  assert out.shape == (1, 16, 16, 1)
