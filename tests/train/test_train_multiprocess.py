"""Two `python -m train` processes x 2 CPU devices train like one process x 4,
and a killed process stops the other instead of hanging it.

Each process's output goes to a file (a full pipe would stall a collective).
One scenario (kill, then restart both) checks all three, to keep the suite
short: each 2-process launch costs ~10 s of CPU.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import chex
import jax
import pytest

from conftest import REPO, restore_latest_state, subprocess_env, toy_config
from train import logs, loop, sharding

ARGS = ["--config", "configs/toy.py:quick", "--config.checkpoint_every=2"]


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def _launch(workdir, logdir, *extra) -> list[subprocess.Popen]:
  """Processes 0 and 1 of a 2-process run on 127.0.0.1, 2 CPU devices each."""
  env = subprocess_env()
  env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
  env["JAX_PLATFORMS"] = "cpu"
  port, procs = _free_port(), []
  for i in range(2):
    cmd = [sys.executable, "-m", "train", *ARGS, "--workdir", str(workdir),
           "--coordinator_address", f"127.0.0.1:{port}", "--num_processes", "2",
           "--process_id", str(i), "--peer_timeout=10", *extra]
    with open(logdir / f"p{i}.log", "w", encoding="utf-8") as f:
      procs.append(subprocess.Popen(cmd, cwd=REPO, env=env, stdout=f,
                                    stderr=subprocess.STDOUT))
  return procs


def _wait(procs, logdir, timeout=240) -> list[int]:
  try:
    return [p.wait(timeout=timeout) for p in procs]
  except subprocess.TimeoutExpired:
    pytest.fail("2-process run hung:\n" + _logs(logdir))
  finally:
    for p in procs:
      p.kill()
      p.wait()


def _logs(logdir) -> str:
  return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                   for p in sorted(logdir.glob("p*.log")))


@pytest.fixture(scope="module")
def four_devices(tmp_path_factory):
  """1 process x 4 devices, the same config, in this process."""
  mesh = sharding.make_mesh(jax.devices()[:4])
  return loop.train_and_evaluate(toy_config(checkpoint_every=2),
                                 tmp_path_factory.mktemp("one_by_four"), mesh=mesh)


def test_two_processes_match_one_and_resume_after_a_kill(four_devices, tmp_path):
  """Process 1 is killed after the step-4 checkpoint: process 0 exits at once
  with an error; both restarted resume and end at the parameters of the
  uninterrupted 1 x 4 run (so both legs trained like one process)."""
  workdir, logdir = tmp_path / "run", tmp_path
  procs = _launch(workdir, logdir, "--config.debug_step_sleep=0.4")
  deadline = time.time() + 180
  while not (workdir / "checkpoints" / "4").is_dir():
    assert all(p.poll() is None for p in procs), _logs(logdir)
    assert time.time() < deadline, "no checkpoint at step 4:\n" + _logs(logdir)
    time.sleep(0.05)
  os.kill(procs[1].pid, signal.SIGKILL)
  t0 = time.time()
  codes = _wait(procs, logdir, timeout=60)
  waited = time.time() - t0
  assert codes[1] == -signal.SIGKILL
  assert codes[0] == 4, _logs(logdir)   # liveness.EXIT_STATUS
  assert waited < 30, waited            # not JAX's 100 s heartbeat, no hang
  out = (logdir / "p0.log").read_text()
  assert "ERROR: training failed" in out or "has not answered" in out, out[-3000:]
  assert "Restart every process with the same command" in out
  killed_at = max(r["step"] for r in logs.read_metrics(workdir, "train"))
  assert killed_at < 10, "the run finished before it was killed"
  saved = max(int(p.name) for p in (workdir / "checkpoints").iterdir()
              if p.name.isdigit())

  restart = tmp_path / "restart"
  restart.mkdir()
  codes = _wait(_launch(workdir, restart), restart)
  assert codes == [0, 0], _logs(restart)
  assert f"resumed from step {saved}" in (restart / "p0.log").read_text()
  assert "final eval: loss=" in (restart / "p0.log").read_text()
  step, state = restore_latest_state(workdir, toy_config())
  assert step == 10
  chex.assert_trees_all_close(state["params"], four_devices["state"]["params"],
                              rtol=0, atol=1e-6)
