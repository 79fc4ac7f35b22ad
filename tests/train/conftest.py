"""Shared helpers for the training-system tests: toy configs and runs.

A persistent compilation cache (one per test session) lets repeated runs of
the same tiny config, in this process and in `python -m train`
subprocesses, skip XLA compilation.
"""

import atexit
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import chex
import jax
import pytest

_CACHE = tempfile.mkdtemp(prefix="attnup_jax_cache_")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["JAX_COMPILATION_CACHE_DIR"] = _CACHE
os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
jax.config.update("jax_compilation_cache_dir", _CACHE)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

REPO = pathlib.Path(__file__).resolve().parents[2]


def toy_config(**overrides):
  """configs/toy.py:quick (10 steps, checkpoints at 5 and 10) with overrides."""
  from configs import toy  # pylint: disable=g-import-not-at-top
  c = toy.get_config("quick")
  c.update_from_flattened_dict(overrides)
  return c


def assert_params_close(a, b, atol=1e-6):
  """The 'params' trees of two train states: same structure, values within atol."""
  chex.assert_trees_all_close(a["params"], b["params"], rtol=0, atol=atol)


def restore_latest_state(workdir, config):
  """(step, state) of `workdir`'s newest checkpoint, restored on one device."""
  from train import checkpoint, sharding  # pylint: disable=g-import-not-at-top
  from train import state as state_lib  # pylint: disable=g-import-not-at-top
  from train.tasks import get_task  # pylint: disable=g-import-not-at-top
  mesh = sharding.make_mesh(jax.devices()[:1])
  _, fresh, shardings = state_lib.create_state(get_task(config), config, mesh)
  ckpt = checkpoint.Checkpointer(workdir, async_=False)
  try:
    step, state, _, _ = ckpt.restore_latest(state_lib.abstract_state(shardings, fresh))
  finally:
    ckpt.close()
  return step, state


def subprocess_env() -> dict:
  env = dict(os.environ)
  env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
  return env


def finished_steps(workdir) -> list[int]:
  """Steps of the finished latest checkpoints of `workdir`, ascending."""
  d = pathlib.Path(workdir) / "checkpoints"
  return sorted(int(p.name) for p in d.iterdir() if p.name.isdigit()) if d.exists() else []


def kill_after_checkpoint(args, workdir, log, step: int, timeout: float = 240) -> list[int]:
  """Run `python -m train *args --workdir workdir` (output to the file `log`),
  SIGKILL it once a checkpoint of step >= `step` is finished; returns the
  finished checkpoint steps."""
  cmd = [sys.executable, "-m", "train", *args, "--workdir", str(workdir)]
  with open(log, "w", encoding="utf-8") as out:
    proc = subprocess.Popen(cmd, cwd=REPO, env=subprocess_env(), stdout=out,
                            stderr=subprocess.STDOUT)
    try:
      deadline = time.time() + timeout
      while not [s for s in finished_steps(workdir) if s >= step]:
        assert proc.poll() is None, pathlib.Path(log).read_text()[-3000:]
        assert time.time() < deadline, f"no checkpoint at step >= {step} in {timeout} s"
        time.sleep(0.05)
      os.kill(proc.pid, signal.SIGKILL)
    finally:
      proc.kill()
      proc.wait()
  assert proc.returncode == -signal.SIGKILL
  return finished_steps(workdir)


@pytest.fixture(scope="session")
def toy_reference(tmp_path_factory):
  """An uninterrupted 10-step toy run on all 8 devices: (workdir, result)."""
  from train import loop  # pylint: disable=g-import-not-at-top
  workdir = tmp_path_factory.mktemp("toy_reference")
  return workdir, loop.train_and_evaluate(toy_config(), workdir)
