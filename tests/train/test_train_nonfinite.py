"""A NaN loss stops training with the step and value; the last good checkpoint stays."""

import chex
import pytest

from conftest import toy_config
from train import checkpoint, loop
from train import state as state_lib
from train import sharding
from train.tasks import get_task


def test_nan_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
  config = toy_config(**{"toy.nan_at_step": 7})
  with pytest.raises(loop.NonFiniteLossError, match=r"loss nan at step 7.*step 5"):
    loop.train_and_evaluate(config, tmp_path)
  assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["5"]
  _, fresh, shardings = state_lib.create_state(get_task(config), config,
                                               sharding.make_mesh())
  ckpt = checkpoint.Checkpointer(tmp_path)
  step, restored, _, _ = ckpt.restore_latest(state_lib.abstract_state(shardings, fresh))
  ckpt.close()
  assert step == 5 and int(restored["step"]) == 5
  chex.assert_tree_all_finite(restored["params"])
