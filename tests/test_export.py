"""`attnup_jax.export`: the deserialized artefact reproduces the model at
several batch and image sizes (one artefact, symbolic shapes), for the SR
network (attention and deconvolution), the guided layer and the depth model;
checkpoints load; the `attnup export` command works end to end."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp
import pytest
from flax import nnx

from attnup_jax import export
from attnup_jax.commands import export as export_cmd
from attnup_jax.models import SuperResolutionNet
from attnup_jax.nn import GuidedAttentionUpsample

SIZES = ((1, 12, 16), (3, 9, 7))   # (batch, h, w): two batch and two image sizes


def _rand(rng, *shape):
  return jnp.asarray(rng.random(shape, np.float32))


def _assert_reproduces(fn, model, inputs):
  got, want = fn(*inputs), model(*inputs)
  assert got.shape == want.shape and got.dtype == want.dtype
  np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=1e-5, rtol=0)


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


def test_depth_model_roundtrip(rng, tmp_path):
  depth = pytest.importorskip("attnup_jax.models.depth")
  model = depth.JointAttentionUpsampler(4, (8, 8, 4), (8, 8), (8,),
                                        rngs=nnx.Rngs(0))
  export.export_model(model, export.default_shapes("depth_x4_sa_m1_f8"),
                      tmp_path / "d.bin")
  fn = export.load_exported(tmp_path / "d.bin")
  for b, h, w in SIZES[:1] + ((2, 3, 5),):
    _assert_reproduces(fn, model, [_rand(rng, b, h, w, 1),
                                   _rand(rng, b, 4 * h, 4 * w, 3)])


def test_load_params_layouts_and_mismatch(rng, tmp_path):
  trained = SuperResolutionNet(2, features=8, rngs=nnx.Rngs(1))
  # A CheckpointManager directory whose 'state' item is a train state.
  with ocp.CheckpointManager(tmp_path / "run") as mgr:
    mgr.save(7, args=ocp.args.Composite(state=ocp.args.StandardSave(
        {"params": nnx.state(trained, nnx.Param), "step": jnp.int32(7)})))
    mgr.wait_until_finished()
  x = _rand(rng, 1, 6, 6, 1)
  for path in (tmp_path / "run", tmp_path / "run" / "7", tmp_path / "run" / "7" / "state"):
    model = export.load_params(SuperResolutionNet(2, features=8, rngs=nnx.Rngs(0)), path)
    np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(trained(x)))
  with pytest.raises(ValueError, match="does not hold this model"):
    export.load_params(SuperResolutionNet(2, features=16, rngs=nnx.Rngs(0)),
                       tmp_path / "run")
  with pytest.raises(ValueError, match="step 3"):
    export.load_params(trained, tmp_path / "run", step=3)


def test_cli_checkpoint_and_random_init(rng, tmp_path, capsys):
  trained = SuperResolutionNet(2, "deconv", features=8, rngs=nnx.Rngs(3))
  ckptr = ocp.StandardCheckpointer()
  ckptr.save(tmp_path / "ckpt" / "params", nnx.state(trained, nnx.Param))
  ckptr.wait_until_finished()
  out = tmp_path / "sr_x2_deconv.bin"
  rc = export_cmd.main(["--model", "sr_x2_deconv", "--checkpoint",
                        str(tmp_path / "ckpt"), "--out", str(out),
                        "--model-kwargs", '{"features": 8}', "--check"])
  assert rc == 0 and "max |diff|" in capsys.readouterr().out
  fn = export.load_exported(out)
  x = _rand(rng, 2, 7, 9, 1)
  np.testing.assert_allclose(np.asarray(fn(x)), np.asarray(trained(x)), atol=1e-5)
  rc = export_cmd.main(["--model", "depth_x4_sa_m1_f8", "--random-init",
                        "--out", str(tmp_path / "d.bin"), "--model-kwargs",
                        '{"cnn_tg": [8, 8, 4], "cnn_f": [8, 8], "cnn_m": [8]}',
                        "--check"])
  assert rc == 0
  assert json.loads((tmp_path / "d.bin.json").read_text())["inputs"] == [
      "b, h, w, 1", "b, 4*h, 4*w, 3"]


def test_errors(tmp_path):
  with pytest.raises(ValueError, match="unknown model"):
    export.build_model("sr_x3_magic", rngs=nnx.Rngs(0))
  (tmp_path / "junk.bin").write_bytes(b"not an artefact")
  with pytest.raises(ValueError, match="not a serialized"):
    export.load_exported(tmp_path / "junk.bin")
