"""Ctrl-C: the first SIGINT saves a checkpoint, says where and exits 130; a
second one exits at once. Normal exits print no traceback."""

import signal
import subprocess
import sys
import time

from conftest import REPO, subprocess_env
from train import logs

SLOW = ["--config", "configs/toy.py:quick", "--config.total_steps=40",
        "--config.checkpoint_every=100"]  # only Ctrl-C saves


def _start(workdir, out, sleep):
  cmd = [sys.executable, "-m", "train", *SLOW, "--workdir", str(workdir),
         f"--config.debug_step_sleep={sleep}"]
  return subprocess.Popen(cmd, cwd=REPO, env=subprocess_env(), stdout=out,
                          stderr=subprocess.STDOUT)


def _wait_for_step(proc, workdir, step, log, timeout=120):
  deadline = time.time() + timeout
  while not any(r["step"] >= step for r in logs.read_metrics(workdir, "train")):
    assert proc.poll() is None, log.read_text()[-3000:]
    assert time.time() < deadline, f"no step {step} within {timeout} s"
    time.sleep(0.05)


def test_sigint_saves_and_second_sigint_exits_at_once(tmp_path):
  workdir, log = tmp_path / "run", tmp_path / "out.log"
  with open(log, "w", encoding="utf-8") as out:
    proc = _start(workdir, out, sleep=0.2)
    try:
      _wait_for_step(proc, workdir, 7, log)
      proc.send_signal(signal.SIGINT)
      code = proc.wait(timeout=60)
    finally:
      proc.kill()
  text = log.read_text()
  assert code == 130, text[-3000:]
  last = max(r["step"] for r in logs.read_metrics(workdir, "train"))
  assert 7 <= last < 40
  where = workdir.absolute() / "checkpoints" / str(last)
  assert f"checkpoint of step {last} saved in {where}" in text, text[-3000:]
  assert where.is_dir()
  assert "Traceback" not in text and "Event loop is closed" not in text

  # Resume; the second Ctrl-C ends the process during a (slow) step.
  log2 = tmp_path / "out2.log"
  with open(log2, "w", encoding="utf-8") as out:
    proc = _start(workdir, out, sleep=3.0)
    try:
      _wait_for_step(proc, workdir, last + 1, log2)
      proc.send_signal(signal.SIGINT)
      time.sleep(0.3)
      t0 = time.time()
      proc.send_signal(signal.SIGINT)
      code = proc.wait(timeout=60)
      waited = time.time() - t0
    finally:
      proc.kill()
  text = log2.read_text()
  assert code == 130, text[-3000:]
  assert waited < 2.0, waited  # not after the 3 s step
  assert f"resumed from step {last}" in text
  assert "exiting now, without saving" in text
  saved = sorted(int(p.name) for p in (workdir / "checkpoints").iterdir()
                 if p.name.isdigit())
  assert saved[-1] == last, saved  # nothing saved by the second run
