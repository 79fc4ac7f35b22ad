"""A checkpoint written with 8-device shardings restores on 1 device, and back."""

import chex
import jax
import pytest

from conftest import toy_config
from train import checkpoint, sharding
from train import state as state_lib
from train.tasks import get_task


def _create(mesh, params):
  config = toy_config(**{"sharding.params": params, "sharding.fsdp_min_size": 0})
  return state_lib.create_state(get_task(config), config, mesh)


@pytest.mark.parametrize("save_n,restore_n", [(8, 1), (1, 8)])
def test_restore_across_device_counts(tmp_path, save_n, restore_n):
  src_mesh = sharding.make_mesh(jax.devices()[:save_n])
  dst_mesh = sharding.make_mesh(jax.devices()[:restore_n])
  _, saved, _ = _create(src_mesh, "fsdp")
  saved["step"] = saved["step"] + 7  # something distinguishable
  ckpt = checkpoint.Checkpointer(tmp_path, keep=2, async_=False)
  ckpt.save_latest(7, saved, {"next_index": 3}, {"best": None})
  ckpt.wait()

  _, fresh, shardings = _create(dst_mesh, "replicated")
  step, restored, data, meta = ckpt.restore_latest(
      state_lib.abstract_state(shardings, fresh))
  ckpt.close()
  assert (step, data, meta["best"]) == (7, {"next_index": 3}, None)
  chex.assert_trees_all_equal(saved, restored)
  for b, s in zip(jax.tree.leaves(restored), jax.tree.leaves(shardings)):
    assert b.sharding == s and b.sharding.mesh.devices.size == restore_n
