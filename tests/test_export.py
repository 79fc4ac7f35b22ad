"""`attnup_jax.export` and `attnup export`: the deserialized artefact
reproduces the model at several batch and image sizes (one artefact, symbolic
shapes); every bundled model exports by name and a skip-trained quick run by
workdir, each equal to the model loaded independently from its source."""

import json
import os
import pathlib
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax import export, pretrained, runs
from attnup_jax.commands import export as export_cmd
from attnup_jax.evaluation.predict import as_predict
from attnup_jax.inference import load_model
from attnup_jax.models import (SuperResolutionNet, assign_params, build,
                               depth_spec, load_params)
from attnup_jax.nn import GuidedAttentionUpsample

REPO = pathlib.Path(__file__).resolve().parents[1]
SIZES = ((1, 12, 16), (3, 9, 7))   # (batch, h, w): two batch and two image sizes


def _rand(rng, *shape):
  return jnp.asarray(rng.random(shape, np.float32))


def _inputs(model, rng, b, h, w):
  """LR input(s) of `model` for an LR grid h x w: Y, or depth + RGB guide."""
  m = getattr(model, "factor", None)
  x = _rand(rng, b, h, w, 1)
  return [x] if m is None else [x, _rand(rng, b, m * h, m * w, 3)]


def _assert_reproduces(fn, model, inputs, atol=1e-5):
  got, want = fn(*inputs), as_predict(model)(*inputs)   # the model jitted
  assert got.shape == want.shape and got.dtype == want.dtype
  np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=atol, rtol=0)


@pytest.mark.parametrize("upsampler", ["attention", "deconv"])
def test_sr_roundtrip_two_sizes(upsampler, rng, tmp_path):
  model = SuperResolutionNet(2, upsampler, features=8, rngs=nnx.Rngs(0))
  path = tmp_path / "sr.bin"
  exported = export.export_model(model, ["b, h, w, 1"], path)
  assert str(exported.out_avals[0]) == "float32[b,2*h,2*w,1]"
  info = json.loads((tmp_path / "sr.bin.json").read_text())
  assert info["inputs"] == ["b, h, w, 1"]
  fn = export.load_exported(path)
  for b, h, w in SIZES:
    _assert_reproduces(fn, model, [_rand(rng, b, h, w, 1)])
  _assert_reproduces(jax.jit(fn), model, [_rand(rng, 2, 5, 6, 1)])


def test_guided_layer_two_inputs(rng, tmp_path):
  layer = GuidedAttentionUpsample(3, 4, 8, kernel_size=5, strides=2,
                                  rngs=nnx.Rngs(0))
  export.export_model(layer, ["b, h, w, 4", "b, 2*h, 2*w, 3"], tmp_path / "g.bin")
  fn = export.load_exported(tmp_path / "g.bin")
  for b, h, w in SIZES:
    _assert_reproduces(fn, layer, [_rand(rng, b, h, w, 4),
                                   _rand(rng, b, 2 * h, 2 * w, 3)])
  with pytest.raises(Exception, match="h"):   # the guide must be 2x the input
    fn(_rand(rng, 1, 4, 4, 4), _rand(rng, 1, 9, 8, 3))


@pytest.mark.parametrize("name", pretrained.available())
def test_every_bundled_model_exports_by_name(name, rng, tmp_path, capsys):
  out = tmp_path / f"{name}.bin"
  assert export_cmd.main(["--model", name, "--out", str(out)]) == 0
  info = json.loads(pathlib.Path(f"{out}.json").read_text())
  assert info["source"] == name and info["spec"] == pretrained.spec_of(name).to_dict()
  fn, model = export.load_exported(out), pretrained.load(name)
  # One odd size per model; several sizes of one artefact are the roundtrip
  # tests' (the same export code), and each size is two compilations here.
  _assert_reproduces(fn, model, _inputs(model, rng, 2, 5, 3))


def test_check_and_random_init_from_a_spec(rng, tmp_path, capsys):
  spec = depth_spec("sa_m1_f8", 4, cnn_tg=(8, 8, 4), cnn_f=(8, 8), cnn_m=(8,))
  (tmp_path / "spec.json").write_text(spec.to_json())
  out = tmp_path / "d.bin"
  assert export_cmd.main(["--spec", str(tmp_path / "spec.json"), "--random-init",
                          "--out", str(out), "--check", "--seed", "3"]) == 0
  assert capsys.readouterr().out.count("max |diff|") == 2
  info = json.loads(pathlib.Path(f"{out}.json").read_text())
  assert info["inputs"] == ["b, h, w, 1", "b, 4*h, 4*w, 3"] and info["random_init"]
  _assert_reproduces(export.load_exported(out), build(spec, nnx.Rngs(3)),
                     [_rand(rng, 2, 3, 5, 1), _rand(rng, 2, 12, 20, 3)])
  # A spec alone has no parameters; a step goes with a workdir.
  assert export_cmd.main(["--spec", spec.to_json(), "--out", str(out)]) == 2
  assert "--random-init" in capsys.readouterr().err
  assert export_cmd.main(["--model", "sr_x2_deconv", "--step", "3",
                          "--out", str(out)]) == 2
  assert export_cmd.main(["--model", "no_such_model", "--out", str(out)]) == 2
  assert "no_such_model" in capsys.readouterr().err


@pytest.fixture(scope="module")
def skip_run(tmp_path_factory):
  """`python -m train --config configs/sr.py:x2_attention_t91,quick,skip`."""
  from attnup_jax.data import paths
  try:
    data_root = paths.data_root()
  except FileNotFoundError as e:
    pytest.skip(str(e))
  workdir = tmp_path_factory.mktemp("skip_run")
  env = {**os.environ, "ATTNUP_DATA_DIR": str(data_root),
         "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
  out = subprocess.run(
      [sys.executable, "-m", "train", "--config",
       "configs/sr.py:x2_attention_t91,quick,skip", "--workdir", str(workdir)],
      cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
  assert out.returncode == 0, out.stderr[-4000:]
  return workdir


@pytest.mark.slow
def test_skip_trained_run_exports_by_workdir(skip_run, rng, tmp_path, capsys):
  spec = runs.run_spec(skip_run)
  assert (skip_run / "spec.json").is_file()
  assert spec.kwargs["global_skip"] is True and spec.kwargs["features"] == 16
  out = tmp_path / "run.bin"
  assert export_cmd.main(["--workdir", str(skip_run), "--out", str(out),
                          "--check"]) == 0
  checks = [float(l.rsplit("=", 1)[1]) for l in capsys.readouterr().out.splitlines()
            if "max |diff|" in l]
  assert len(checks) == 2 and max(checks) < 1e-5
  fn, model = export.load_exported(out), load_model(str(skip_run))
  evals = [json.loads(l) for l in (skip_run / "metrics.jsonl").read_text().splitlines()
           if '"eval"' in l]
  best = max(evals, key=lambda r: r["psnr"])
  assert model.spec == spec and model.train_step == best["step"]
  assert dict(model.train_metrics)["psnr"] == pytest.approx(best["psnr"])
  for b, h, w in ((1, 12, 16), (2, 9, 7)):
    _assert_reproduces(fn, model, _inputs(model, rng, b, h, w))
  # The skip matters (it adds no parameters): the run's parameters without it
  # give another function, and loading them into that model is refused.
  flat, step, _ = runs.read_run_params(skip_run)
  x = _rand(rng, 1, 12, 16, 1)
  no_skip = build(spec.replace(global_skip=False))
  with pytest.raises(ValueError, match="global_skip: True != False"):
    assign_params(no_skip, flat, spec=spec, source="the run")
  other = load_params(spec.replace(global_skip=False), flat)
  assert float(jnp.max(jnp.abs(other(x) - model(x)))) > 0.1
  # A given step, and a run from before spec.json (its config.json says it).
  assert export_cmd.main(["--workdir", str(skip_run), "--step", "3", "--out",
                          str(tmp_path / "s3.bin")]) == 0
  _assert_reproduces(export.load_exported(tmp_path / "s3.bin"),
                     runs.load_run(skip_run, step=3), [x])
  (skip_run / "spec.json").rename(tmp_path / "spec.json")
  try:
    assert runs.run_spec(skip_run) == spec
  finally:
    (tmp_path / "spec.json").rename(skip_run / "spec.json")
  with pytest.raises(ValueError, match="step 4"):
    runs.load_run(skip_run, step=4)
  # A workdir given relative to the current directory (`--checkpoint runs/x`)
  # reads the same parameters (orbax finds no metadata on a relative path).
  with pytest.MonkeyPatch.context() as mp:
    mp.chdir(skip_run.parent)
    rel_flat, rel_step, _ = runs.read_run_params(skip_run.name)
  assert rel_step == step and rel_flat.keys() == flat.keys()
  assert all(np.array_equal(rel_flat[k], flat[k]) for k in flat)


def test_errors(tmp_path):
  (tmp_path / "junk.bin").write_bytes(b"not an artefact")
  with pytest.raises(ValueError, match="not a serialized"):
    export.load_exported(tmp_path / "junk.bin")
