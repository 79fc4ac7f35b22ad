"""The real models in the training loop: the SR attention network (custom-
gradient attention layer, `ops.conv2d`) and the SA-M1-F8 depth network, 5
steps on 1 and on 8 forced CPU devices with the state donated: FSDP float32
and replicated bfloat16 compute (both models); and the SR model resumed after
SIGKILL.

Tolerances. The 8-device step computes the same global-batch gradient as the
1-device step; only the order of the cross-device sums differs, so float32
runs agree to float32 rounding: losses to 1e-5 and parameters to 1e-5 after
5 Adam steps of lr 1e-3 (an Adam step is lr * m / sqrt(v): relative gradient
errors of 1e-6 move it by ~1e-9, far below 1e-5; a wrong reduction or a
dropped shard moves it by ~lr). bfloat16 compute rounds every activation to
8 mantissa bits (relative 2**-8 = 0.4%): the losses of 5 steps stay within
5% of float32's and the parameters within 0.1 lr on average over all
elements (a step of a different direction would move them by ~lr each).
Measured (8 devices bf16 vs 1 device f32): SR 1.1e-5 mean (0.011 lr), 0.75%
loss; SA-M1-F8 3.0e-5 (0.03 lr), 1.9% loss.
"""

import importlib
import math
import subprocess
import sys

import chex
import jax
import numpy as np
import pytest

from conftest import REPO, assert_params_close, kill_after_checkpoint, subprocess_env
from train import logs, loop, sharding

SR = ("configs.sr", "x2_attention_t91,quick")
DEPTH = ("configs.depth", "sa_m1_f8_x4,quick")
STEPS = [1, 2, 3, 4, 5]


_OVERRIDES = {"total_steps": 5, "eval_every": 5, "checkpoint_every": 5,
              "data.eval_max_images": 1, "sharding.fsdp_min_size": 0,
              "async_checkpoint": False}


def _config(which, dtype="float32", params="replicated"):
  module, arg = which
  c = importlib.import_module(module).get_config(arg)
  c.update_from_flattened_dict({**_OVERRIDES, "model.dtype": dtype,
                                "sharding.params": params})
  return c


def _data_or_skip():
  from attnup_jax.data import paths  # pylint: disable=g-import-not-at-top
  try:
    paths.data_root()
  except FileNotFoundError as e:
    pytest.skip(str(e))


def _run(tmp_path, which, devices, dtype="float32", params="replicated"):
  mesh = sharding.make_mesh(jax.devices()[:devices])
  workdir = tmp_path / f"{devices}_{dtype}_{params}"
  return loop.train_and_evaluate(_config(which, dtype, params), workdir, mesh=mesh)


def _losses(result):
  assert sorted(result["losses"]) == STEPS
  return np.array([result["losses"][s] for s in STEPS])


def _mean_abs_difference(a, b) -> float:
  diffs = [np.abs(np.asarray(x, np.float64) - np.asarray(y, np.float64))
           for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b))]
  return sum(float(d.sum()) for d in diffs) / sum(d.size for d in diffs)


def _assert_bf16_close(bf16, reference, lr, loss_rtol):
  """bfloat16-compute training stays near `reference` (see the module doc)."""
  np.testing.assert_allclose(_losses(bf16), _losses(reference), rtol=loss_rtol)
  chex.assert_trees_all_equal_shapes_and_dtypes(bf16["state"]["params"],
                                                reference["state"]["params"])
  mean = _mean_abs_difference(bf16["state"]["params"], reference["state"]["params"])
  print(f"bf16 vs reference: mean |dparam| {mean:.3g} (lr {lr:g}), max loss "
        f"rel diff {np.max(np.abs(_losses(bf16) / _losses(reference) - 1)):.3g}")
  assert mean < 0.1 * lr, mean
  assert all(math.isfinite(v) for v in bf16["eval"].values())


@pytest.fixture(scope="module")
def sr_eight(tmp_path_factory):
  """The uninterrupted SR run on all 8 devices (FSDP, float32)."""
  _data_or_skip()
  return _run(tmp_path_factory.mktemp("sr_eight"), SR, 8, params="fsdp")


def _check_float32(tmp_path, which, eight_fsdp) -> dict:
  """1 device vs 8 devices FSDP, float32 (tight); returns the 1-device run."""
  one = _run(tmp_path, which, 1)
  assert _losses(one)[-1] != _losses(one)[0]  # training moved the parameters
  np.testing.assert_allclose(_losses(eight_fsdp), _losses(one), rtol=0, atol=1e-5)
  assert_params_close(eight_fsdp["state"], one["state"], atol=1e-5)
  specs = [x.sharding.spec for x in jax.tree.leaves(eight_fsdp["state"]["params"])]
  assert any("data" in s for s in specs), specs  # FSDP really split something
  return one


# One test per model, so that `pytest -n 2` runs the two side by side. Three
# compilations per model cover both layouts, both dtypes and 1 vs 8 devices.
def test_sr_attention_eight_devices_match_one(tmp_path, sr_eight):
  one = _check_float32(tmp_path, SR, sr_eight)
  bf16 = _run(tmp_path, SR, 8, dtype="bfloat16")
  assert all(x.sharding.is_fully_replicated
             for x in jax.tree.leaves(bf16["state"]["params"]))
  _assert_bf16_close(bf16, one, float(_config(SR).optimizer.learning_rate),
                     loss_rtol=5e-2)


def test_depth_eight_devices_match_one(tmp_path):
  _data_or_skip()
  one = _check_float32(tmp_path, DEPTH, _run(tmp_path, DEPTH, 8, params="fsdp"))
  bf16 = _run(tmp_path, DEPTH, 8, dtype="bfloat16")
  assert all(x.sharding.is_fully_replicated
             for x in jax.tree.leaves(bf16["state"]["params"]))
  _assert_bf16_close(bf16, one, float(_config(DEPTH).optimizer.learning_rate),
                     loss_rtol=5e-2)


def test_sr_attention_sigkill_then_resume_matches_uninterrupted(tmp_path, sr_eight):
  """`python -m train` killed after a checkpoint, resumed: the same 5 steps.
  Then the mistyped-override scenario of issue 15 on the same work directory."""
  workdir = tmp_path / "run"
  args = ["--config", f"configs/sr.py:{SR[1]}", "--config.sharding.params=fsdp",
          "--config.checkpoint_every=2", "--config.debug_step_sleep=0.5"] + [
              f"--config.{k}={v}" for k, v in _OVERRIDES.items()
              if k != "checkpoint_every"]
  saved = kill_after_checkpoint(args, workdir, tmp_path / "out.log", step=2)[-1]
  assert max(r["step"] for r in logs.read_metrics(workdir, "train")) < 5

  resumed = loop.train_and_evaluate(_config(SR, params="fsdp"), workdir,
                                    mesh=sharding.make_mesh())
  assert min(resumed["losses"]) == saved + 1
  for s, loss in resumed["losses"].items():  # the same batches
    assert abs(loss - sr_eight["losses"][s]) < 1e-6, s
  assert_params_close(resumed["state"], sr_eight["state"], atol=1e-6)

  # A typo on resume (16 -> 8 features) stops before anything is touched.
  before = {p: p.read_bytes() for p in sorted(workdir.rglob("*")) if p.is_file()}
  out = subprocess.run([sys.executable, "-m", "train", *args, "--workdir",
                        str(workdir), "--config.model.features=8"], cwd=REPO,
                       env=subprocess_env(), capture_output=True, text=True,
                       timeout=120)
  assert out.returncode == 2, out.stderr[-3000:]
  assert "model.features: 16 in the work directory, 8 now" in out.stderr
  assert {p: p.read_bytes() for p in sorted(workdir.rglob("*")) if p.is_file()} == before
