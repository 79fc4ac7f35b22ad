"""A `python -m train` run killed with SIGKILL resumes to the same parameters."""

import os
import signal
import subprocess
import sys
import time

from conftest import REPO, assert_params_close, subprocess_env, toy_config
from train import logs, loop


def _finished_steps(workdir) -> list[int]:
  d = workdir / "checkpoints"
  return sorted(int(p.name) for p in d.iterdir() if p.name.isdigit()) if d.exists() else []


def test_sigkill_then_resume_matches_uninterrupted(toy_reference, tmp_path):
  _, reference = toy_reference
  workdir = tmp_path / "killed"
  cmd = [sys.executable, "-m", "train", "--config", "configs/toy.py:quick",
         "--workdir", str(workdir), "--config.checkpoint_every=2",
         "--config.debug_step_sleep=0.5"]
  proc = subprocess.Popen(cmd, cwd=REPO, env=subprocess_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
  try:
    deadline = time.time() + 120
    while not [s for s in _finished_steps(workdir) if s >= 4]:
      assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
      assert time.time() < deadline, "no checkpoint at step >= 4 within 120 s"
      time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
  finally:
    proc.kill()
    proc.wait()
  assert proc.returncode == -signal.SIGKILL
  killed_at = max(r["step"] for r in logs.read_metrics(workdir, "train"))
  assert killed_at < 10, "the run finished before it was killed"
  saved = _finished_steps(workdir)

  # Restart (same config, no throttling): resumes from the newest checkpoint.
  resumed = loop.train_and_evaluate(toy_config(**{"checkpoint_every": 2}), workdir)
  first = min(resumed["losses"])
  assert first == max(saved) + 1, (saved, sorted(resumed["losses"]))
  assert_params_close(resumed["state"], reference["state"], atol=1e-6)
  for s, loss in resumed["losses"].items():  # the same batches as the reference
    assert abs(loss - reference["losses"][s]) < 1e-6, s
