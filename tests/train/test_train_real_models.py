"""The real models in the training loop: the SR attention network (custom-
gradient attention layer, `ops.conv2d`) and a depth network, 5 steps on 1 and
on 8 forced CPU devices, replicated and FSDP, float32 and bfloat16 compute.

Tolerances. The 8-device step computes the same global-batch gradient as the
1-device step; only the order of the cross-device sums differs, so float32
runs agree to float32 rounding (losses 1e-5, parameters 1e-5 after 5 Adam
steps of lr 1e-3). In bfloat16 compute every activation is rounded to 8 bits
of mantissa (relative 2**-8 = 0.4%), and the two device counts round
different partial sums: losses agree to 1e-2 relative, and parameters are
compared in the mean over all elements, well below one Adam step (lr).
"""

import math

import chex
import jax
import numpy as np
import pytest

from conftest import assert_params_close
from train import loop, sharding

SR = ("configs.sr", "x2_attention_t91,quick")
DEPTH = ("configs.depth", "sa_m1_f8_x4,quick")
STEPS = [1, 2, 3, 4, 5]


def _config(which, dtype="float32", params="replicated"):
  import importlib  # pylint: disable=g-import-not-at-top
  module, arg = which
  c = importlib.import_module(module).get_config(arg)
  c.update_from_flattened_dict({
      "total_steps": 5, "eval_every": 5, "checkpoint_every": 5,
      "data.eval_max_images": 1, "model.dtype": dtype, "sharding.params": params,
      "sharding.fsdp_min_size": 0, "async_checkpoint": False})
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
  assert mean < 0.1 * lr, mean
  assert all(math.isfinite(v) for v in bf16["eval"].values())


def _assert_f32_match(eight, one):
  np.testing.assert_allclose(_losses(eight), _losses(one), rtol=0, atol=1e-5)
  assert_params_close(eight["state"], one["state"], atol=1e-5)


# One test per model (all its runs), so that `pytest -n 2` runs the two
# models side by side instead of repeating shared runs on both workers.
def test_sr_attention_eight_devices_match_one(tmp_path):
  _data_or_skip()
  lr = float(_config(SR).optimizer.learning_rate)
  one = _run(tmp_path, SR, 1)
  assert _losses(one)[-1] != _losses(one)[0]  # training moved the parameters
  _assert_f32_match(_run(tmp_path, SR, 8), one)
  fsdp = _run(tmp_path, SR, 8, params="fsdp")
  _assert_f32_match(fsdp, one)
  specs = [x.sharding.spec for x in jax.tree.leaves(fsdp["state"]["params"])]
  assert any("data" in s for s in specs), specs  # FSDP really split something
  one_bf16 = _run(tmp_path, SR, 1, dtype="bfloat16")
  _assert_bf16_close(_run(tmp_path, SR, 8, dtype="bfloat16", params="fsdp"),
                     one_bf16, lr, loss_rtol=1e-2)
  _assert_bf16_close(one_bf16, one, lr, loss_rtol=5e-2)


def test_depth_eight_devices_match_one(tmp_path):
  # The depth model compiles ~4x slower than the SR one: three runs, the
  # bfloat16 one against the float32 one (bf16 tolerance).
  _data_or_skip()
  lr = float(_config(DEPTH).optimizer.learning_rate)
  one = _run(tmp_path, DEPTH, 1)
  assert _losses(one)[-1] != _losses(one)[0]
  _assert_f32_match(_run(tmp_path, DEPTH, 8, params="fsdp"), one)
  _assert_bf16_close(_run(tmp_path, DEPTH, 8, dtype="bfloat16"), one, lr,
                     loss_rtol=5e-2)
