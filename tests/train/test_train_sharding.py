"""Data-parallel steps give the same losses on 1 and on 8 devices."""

import jax
import numpy as np
import pytest

from conftest import assert_params_close, toy_config
from train import loop, sharding

STEPS = range(1, 6)


@pytest.fixture(scope="module")
def one_device(tmp_path_factory):
  mesh = sharding.make_mesh(jax.devices()[:1])
  return loop.train_and_evaluate(toy_config(**{"total_steps": 5}),
                                 tmp_path_factory.mktemp("one"), mesh=mesh)


def test_eight_devices_replicated_match_one(one_device, toy_reference):
  # The session's reference run: the same toy config on all 8 devices; its
  # first 5 steps are a 5-step run (constant schedule, evaluation at step 5
  # does not feed back into training).
  _, eight = toy_reference
  assert len(jax.devices()) == 8
  np.testing.assert_allclose([eight["losses"][s] for s in STEPS],
                             [one_device["losses"][s] for s in STEPS], rtol=0, atol=1e-5)
  kernel = eight["state"]["params"]["conv1"]["kernel"][...]
  assert kernel.sharding.mesh.devices.size == 8 and kernel.sharding.is_fully_replicated


def test_eight_devices_fsdp_match_one(one_device, tmp_path):
  config = toy_config(**{"total_steps": 5, "sharding.params": "fsdp",
                         "sharding.fsdp_min_size": 0})
  eight = loop.train_and_evaluate(config, tmp_path, mesh=sharding.make_mesh())
  assert sorted(eight["losses"]) == list(STEPS)
  np.testing.assert_allclose([eight["losses"][s] for s in STEPS],
                             [one_device["losses"][s] for s in STEPS], rtol=0, atol=1e-5)
  assert_params_close(eight["state"], one_device["state"], atol=1e-5)
  kernel = eight["state"]["params"]["conv1"]["kernel"][...]  # [3, 3, 1, 8]
  assert kernel.sharding.spec == jax.sharding.PartitionSpec(None, None, None, "data")
  assert kernel.addressable_shards[0].data.shape == (3, 3, 1, 1)


def test_fsdp_spec_picks_largest_divisible_axis():
  P = jax.sharding.PartitionSpec
  assert sharding.fsdp_spec((3, 3, 128, 64), 8, 0) == P(None, None, "data", None)
  assert sharding.fsdp_spec((5, 7), 8, 0) == P()
  assert sharding.fsdp_spec((1024,), 8, 2**14) == P()


def test_global_batch_splits_rows_over_the_data_axis():
  mesh = sharding.make_mesh()                      # 8 forced CPU devices
  batch = {"lr": np.arange(8 * 2 * 3, dtype=np.float32).reshape(8, 2, 3),
           "hr": np.arange(8, dtype=np.uint8)}
  placed = sharding.global_batch(batch, mesh)
  for name, x in placed.items():
    np.testing.assert_array_equal(np.asarray(x), batch[name])
    assert x.dtype == batch[name].dtype
    assert x.sharding == sharding.batch_sharding(mesh)
    assert [s.data.shape[0] for s in x.addressable_shards] == [1] * 8
