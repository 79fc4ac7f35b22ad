"""A `python -m train` run killed with SIGKILL resumes to the same parameters."""

from conftest import assert_params_close, kill_after_checkpoint, toy_config
from train import logs, loop


def test_sigkill_then_resume_matches_uninterrupted(toy_reference, tmp_path):
  _, reference = toy_reference
  workdir = tmp_path / "killed"
  saved = kill_after_checkpoint(
      ["--config", "configs/toy.py:quick", "--config.checkpoint_every=2",
       "--config.debug_step_sleep=0.5"], workdir, tmp_path / "out.log", step=4)
  killed_at = max(r["step"] for r in logs.read_metrics(workdir, "train"))
  assert killed_at < 10, "the run finished before it was killed"

  # Restart (same config, no throttling): resumes from the newest checkpoint.
  resumed = loop.train_and_evaluate(toy_config(**{"checkpoint_every": 2}), workdir)
  first = min(resumed["losses"])
  assert first == max(saved) + 1, (saved, sorted(resumed["losses"]))
  assert_params_close(resumed["state"], reference["state"], atol=1e-6)
  for s, loss in resumed["losses"].items():  # the same batches as the reference
    assert abs(loss - reference["losses"][s]) < 1e-6, s
