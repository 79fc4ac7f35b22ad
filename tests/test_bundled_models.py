"""Every bundled model gives the outputs recorded from main before the model
spec existed (tests/fixtures/bundled_outputs.npz, written by
scripts/record_bundled_outputs.py at the commit stored in it), within 1e-6,
and its stored evaluation metric reproduces on the data it was measured on."""

import json
import os
import pathlib
import sys

import jax
import numpy as np
import pytest
from flax import nnx

from attnup_jax import pretrained

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "bundled_outputs.npz"
sys.path.insert(0, str(ROOT / "scripts"))
import record_bundled_outputs as rec  # noqa: E402


@pytest.fixture(scope="module")
def recorded():
  with np.load(FIXTURE) as f:
    return {k: f[k] for k in f.files}


def test_fixture_covers_every_bundle(recorded):
  assert sorted(recorded["names"].tolist()) == pretrained.available()
  assert len(str(recorded["commit"])) == 40


@pytest.mark.parametrize("name", pretrained.available())
def test_bundled_outputs_unchanged(name, recorded):
  model = pretrained.load(name)
  assert model.spec == pretrained.spec_of(name)
  graphdef, state = nnx.split(model)
  fn = jax.jit(lambda s, *a: nnx.merge(graphdef, s)(*a))
  for i in range(2):
    stored = {k: recorded[f"{name}/{k}{i}"] for k in ("in", "depth", "guide")
              if f"{name}/{k}{i}" in recorded}
    got = np.asarray(fn(state, *rec.model_args(stored)))
    want = recorded[f"{name}/out{i}"]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)
  assert json.loads(str(recorded[f"{name}/eval"])) == \
      pretrained.config_of(name)["eval_at_checkpoint"]


def _data_or_skip():
  from attnup_jax.data import paths
  try:
    paths.data_root()
  except FileNotFoundError as e:
    pytest.skip(str(e))


# Two by default (tens of seconds each); ATTNUP_ALL_BUNDLES=1 checks all.
EVAL_NAMES = (pretrained.available() if os.environ.get("ATTNUP_ALL_BUNDLES")
              else ["sr_x2_deconv", "depth_x8_bilateral_attention"])


@pytest.mark.slow
@pytest.mark.parametrize("name", EVAL_NAMES)
def test_recorded_evaluation_reproduces(name):
  """The training loop's evaluation (the bundle's train config, its test set,
  `attnup_jax.evaluation`) gives the metrics stored when it was shipped."""
  import ml_collections
  from attnup_jax.evaluation.predict import as_predict
  from train.tasks import get_task
  _data_or_skip()
  config = pretrained.config_of(name)
  task = get_task(ml_collections.ConfigDict(config["train_config"]))
  got = task.evaluate(as_predict(pretrained.load(name)))
  want = config["eval_at_checkpoint"]
  tol = {"psnr": 1e-4, "ssim": 1e-5, "rmse": 1e-5, "loss": 1e-8}
  assert set(got) == set(want) - {"lr_scale"}
  for k, v in got.items():
    assert v == pytest.approx(want[k], abs=tol[k]), k
