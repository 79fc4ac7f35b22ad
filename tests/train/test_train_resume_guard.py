"""A work directory is resumed only by its own config: a structural change
stops `python -m train` before anything is touched; safe ones are recorded."""

import hashlib
import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, subprocess_env, toy_config
from configs import depth, sr, toy
from train import checkpoint, loop, resume_guard

TOY = ["--config", "configs/toy.py:quick"]


def _tree_digest(root) -> dict:
  """{relative path: sha256} of every file under `root`."""
  return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
          for p in sorted(root.rglob("*")) if p.is_file()}


def _train(workdir, *args, timeout=300):
  cmd = [sys.executable, "-m", "train", *args, "--workdir", str(workdir)]
  return subprocess.run(cmd, cwd=REPO, env=subprocess_env(), capture_output=True,
                        text=True, timeout=timeout)


@pytest.fixture
def toy_workdir(toy_reference, tmp_path):
  """A copy of the finished 10-step toy run, with the config.json the entry
  point would have written."""
  ref_dir, _ = toy_reference
  workdir = tmp_path / "run"
  shutil.copytree(ref_dir, workdir)
  (workdir / "config.json").write_text(toy_config().to_json_best_effort(indent=2))
  return workdir


# ----------------------------------------------------------- the key lists --

@pytest.mark.parametrize("config,structural", [
    (toy.get_config("quick"), ["model.features", "toy.size", "seed", "batch_size"]),
    (sr.get_config(), ["model.features", "model.upsampler", "data.train_set",
                       "data.patch_size", "data.eval_set", "optimizer.learning_rate",
                       "optimizer.grad_clip_norm", "loss", "best_metric"]),
    (depth.get_config(), ["model.name", "model.factor", "data.crop",
                          "optimizer.schedule", "optimizer.step_boundaries"])],
    ids=["toy", "sr", "depth"])
def test_safe_keys_name_real_config_keys(config, structural):
  keys = resume_guard.flatten(json.loads(config.to_json_best_effort()))
  for safe in resume_guard.SAFE_KEYS:
    if safe.endswith("."):
      assert any(k.startswith(safe) for k in keys), safe
    elif not safe.startswith("data."):  # SR and depth name their threads differently
      assert safe in keys, safe
  for k in structural:
    assert k in keys and not resume_guard.is_safe(k), k
  assert resume_guard.is_safe("total_steps") and resume_guard.is_safe("sharding.params")


def test_unknown_keys_are_structural_and_allowed_keys_pass(tmp_path):
  old = {"total_steps": 10, "model": {"features": 16}, "eval_every": 5}
  (tmp_path / "config.json").write_text(json.dumps(old))
  new = {"total_steps": 20, "model": {"features": 8, "new_knob": 1}, "eval_every": 5}
  with pytest.raises(resume_guard.ConfigMismatchError) as e:
    resume_guard.check(tmp_path, {"config.json": new})
  msg = str(e.value)
  assert "model.features: 16 in the work directory, 8 now" in msg
  assert "model.new_knob: <absent> in the work directory, 1 now" in msg
  assert "total_steps" not in msg.split("\n", 1)[1].split("To train")[0]
  assert "--allow_config_change=model.features,model.new_knob" in msg
  accepted = resume_guard.check(tmp_path, {"config.json": new},
                                allowed=["model"])  # a prefix allows its keys
  assert [k for k, _, _ in accepted] == ["model.features", "model.new_knob", "total_steps"]
  # A safe key that an older config lacks (added to the defaults later).
  accepted = resume_guard.check(tmp_path, {"config.json": {**old, "prefetch": 2}})
  assert [(k, resume_guard.show(a), resume_guard.show(b)) for k, a, b in accepted] == [
      ("prefetch", "<absent>", "2")]
  # A recorded spec file (any name) is compared too, every key structural.
  (tmp_path / "spec.json").write_text(json.dumps({"width": 16}))
  with pytest.raises(resume_guard.ConfigMismatchError, match="spec:width: 16"):
    resume_guard.check(tmp_path, {"config.json": old, "spec.json": {"width": 8}})


def test_record_keeps_every_earlier_config(tmp_path):
  assert resume_guard.record(tmp_path, {"config.json": {"a": 1}}) is None
  assert resume_guard.record(tmp_path, {"config.json": {"a": 1}}) is None  # unchanged
  assert resume_guard.record(tmp_path, {"config.json": {"a": 2}}).name == "config.1.json"
  assert resume_guard.record(tmp_path, {"config.json": {"a": 3}}).name == "config.2.json"
  assert [json.loads((tmp_path / f).read_text())["a"] for f in
          ("config.1.json", "config.2.json", "config.json")] == [1, 2, 3]


# ------------------------------------------------------ the entry point --

def test_structural_override_refused_and_workdir_untouched(toy_workdir):
  before = _tree_digest(toy_workdir)
  out = _train(toy_workdir, *TOY, "--config.model.features=4")
  assert out.returncode == 2, out.stderr[-3000:]
  assert "model.features: 8 in the work directory, 4 now" in out.stderr
  assert "use a new --workdir" in out.stderr
  assert "--allow_config_change=model.features" in out.stderr
  assert _tree_digest(toy_workdir) == before


def test_allowed_change_that_does_not_fit_the_checkpoint_moves_nothing(toy_workdir):
  # What --allow_config_change=model.features leads to: the loop finds a
  # readable checkpoint of another shape, which is not "corrupt".
  before = _tree_digest(toy_workdir)
  with pytest.raises(checkpoint.CheckpointMismatchError,
                     match=r"params\.conv1\.kernel\.value: checkpoint float32\[3, 3, 1, 8\], "
                           r"this config float32\[3, 3, 1, 4\]"):
    loop.train_and_evaluate(toy_config(**{"model.features": 4}), toy_workdir)
  assert _tree_digest(toy_workdir) == before
  assert not (toy_workdir / "corrupt").exists()


def test_safe_change_resumes_and_keeps_the_earlier_config(toy_workdir):
  out = _train(toy_workdir, *TOY, "--config.total_steps=12", "--config.log_every=3")
  assert out.returncode == 0, out.stderr[-3000:]
  assert "resumed from step 10" in out.stdout
  assert "total_steps: 10 -> 12" in out.stdout and "log_every: 1 -> 3" in out.stdout
  assert json.loads((toy_workdir / "config.json").read_text())["total_steps"] == 12
  assert json.loads((toy_workdir / "config.1.json").read_text())["total_steps"] == 10
  assert "Traceback" not in out.stderr and "Event loop is closed" not in out.stderr


def test_a_spec_recorded_before_a_new_option_resumes(tmp_path):
  """A spec.json written before a constructor option existed is compared as
  the current code reads it (the option at its default): no refusal."""
  import json
  from attnup_jax.models import presets
  from train import __main__ as entry, resume_guard
  spec = presets.depth_spec("djf", 8, residual=True).to_dict()
  old = json.loads(json.dumps(spec))
  del old["kwargs"]["kernel_grad"]                 # as written before the option
  (tmp_path / "spec.json").write_text(json.dumps(old))
  assert resume_guard.check(tmp_path, {"spec.json": spec},
                            normalise={"spec.json": entry._current_spec}) == []
  spec["kwargs"]["residual"] = False               # a real change is still refused
  with pytest.raises(resume_guard.ConfigMismatchError, match="spec:kwargs.residual"):
    resume_guard.check(tmp_path, {"spec.json": spec},
                       normalise={"spec.json": entry._current_spec})
