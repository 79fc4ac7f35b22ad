"""Corrupt or half-written latest checkpoints: warn, fall back, delete nothing good."""

import shutil

import pytest

from conftest import assert_params_close, toy_config
from train import loop


def _garbage(step_dir):
  for f in (step_dir / "state").rglob("*"):
    if f.is_file():
      f.write_bytes(b"\x00garbage")


def _truncated(step_dir):
  shutil.rmtree(step_dir / "state")
  (step_dir / "state").mkdir()


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_corrupt_latest_falls_back_to_previous(toy_reference, tmp_path, damage):
  ref_dir, reference = toy_reference
  workdir = tmp_path / "run"
  shutil.copytree(ref_dir, workdir)
  ckpts = workdir / "checkpoints"
  assert sorted(p.name for p in ckpts.iterdir()) == ["10", "5"]
  damage(ckpts / "10")
  with pytest.warns(RuntimeWarning, match="step 10 .* failed to restore"):
    result = loop.train_and_evaluate(toy_config(), workdir)
  assert sorted(result["losses"]) == [6, 7, 8, 9, 10]  # resumed from step 5
  assert_params_close(result["state"], reference["state"], atol=1e-6)
  assert sorted(p.name for p in ckpts.iterdir()) == ["10", "5"]  # 5 kept, 10 rewritten
  moved = list((workdir / "corrupt").iterdir())
  assert len(moved) == 1 and moved[0].name.startswith("10-")  # kept for inspection
  assert (workdir / "best" / "10").is_dir()


def test_half_written_newer_step_is_ignored(toy_reference, tmp_path):
  ref_dir, reference = toy_reference
  workdir = tmp_path / "run"
  shutil.copytree(ref_dir, workdir)
  ckpts = workdir / "checkpoints"
  # What a save killed mid-write leaves: orbax's temporary directory, never renamed.
  tmp = ckpts / "15.orbax-checkpoint-tmp-1234567890"
  shutil.copytree(ckpts / "10", tmp)
  _truncated(tmp)
  result = loop.train_and_evaluate(toy_config(**{"total_steps": 12}), workdir)
  assert sorted(result["losses"]) == [11, 12]  # resumed from 10, not 15
  assert (ckpts / "10").is_dir() and (ckpts / "12").is_dir()
  assert not (workdir / "corrupt").exists()
