"""The model spec: complete, JSON round-trip, checked against the constructor;
config names map to it in one place; the loader checks spec and shapes."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax.models import (FAMILIES, ModelSpec, abstract_model,
                               assign_params, build, depth_spec, flatten_params,
                               load_params, spec_from_config, sr_spec)
from attnup_jax.models.sr import SuperResolutionNet
from configs import depth as depth_configs
from configs import sr as sr_configs


def test_spec_holds_every_constructor_argument_and_round_trips():
  spec = sr_spec(4, "deconv", features=16, global_skip=True)
  assert spec.kwargs == {"scale": 4, "upsampler": "deconv", "features": 16,
                         "kernel_size": 5, "global_skip": True, "dtype": "float32",
                         "kernel_grad": "matmul", "attention_row_chunk": 6,
                         "attention_strip_update": None, "attention_chunk": None,
                         "attention_chunk_layout": "contiguous"}
  text = spec.to_json()
  assert json.loads(text) == {"family": "SuperResolutionNet", "kwargs": spec.kwargs}
  assert ModelSpec.from_json(text) == spec and hash(ModelSpec.from_json(text)) == hash(spec)
  d = depth_spec("sa_m2_f32", 8, residual=True, dtype=jnp.bfloat16)
  back = ModelSpec.from_dict(json.loads(d.to_json()))
  assert back == d and back.kwargs["cnn_m"] == (64, 64)
  assert back.kwargs["dtype"] == "bfloat16" and back.kwargs["residual"] is True


def test_unknown_or_missing_arguments_are_named():
  with pytest.raises(ValueError, match=r"unknown SuperResolutionNet arguments \['feature'\]"):
    sr_spec(2, feature=16)
  with pytest.raises(ValueError, match="needs the arguments \\['factor'\\]"):
    ModelSpec.create("DeepJointFilter")
  with pytest.raises(ValueError, match="unknown model family 'Magic'"):
    ModelSpec.create("Magic")
  with pytest.raises(ValueError, match="dtype must be one of"):
    sr_spec(2, dtype="int8")
  with pytest.raises(ValueError, match="unknown depth model 'sa_m3'"):
    depth_spec("sa_m3", 4)
  with pytest.raises(ValueError, match="family"):
    ModelSpec.from_dict({"kind": "sr"})


def test_build_is_the_constructor_with_those_arguments():
  spec = sr_spec(2, "attention", features=8, global_skip=True)
  model = build(spec, nnx.Rngs(1))
  direct = SuperResolutionNet(2, "attention", features=8, global_skip=True,
                              rngs=nnx.Rngs(1))
  assert model.spec == spec and isinstance(model, FAMILIES[spec.family])
  assert model.global_skip and model.upsampler == "attention" and model.scale == 2
  want = flatten_params(direct)
  got = flatten_params(model)
  assert sorted(got) == sorted(want)
  for k in want:
    np.testing.assert_array_equal(got[k], want[k])
  bf16 = abstract_model(spec.replace(dtype="bfloat16"))
  assert bf16.dtype == jnp.bfloat16 and abstract_model(spec).spec == spec


def test_configs_map_to_the_presets():
  c = sr_configs.get_config("x4_deconv_t91,skip,bf16")
  assert spec_from_config(c.model) == sr_spec(
      4, "deconv", features=128, kernel_size=5, global_skip=True, dtype="bfloat16")
  c = depth_configs.get_config("sa_m1_f16_x16_rgbdd,residual")
  spec = spec_from_config(c.model)
  assert spec == depth_spec("sa_m1_f16", 16, residual=True)
  assert spec.family == "JointAttentionUpsampler" and spec.kwargs["cnn_tg"] == (96, 48, 16)
  assert spec_from_config(spec.to_dict()) == spec
  assert spec_from_config(depth_configs.get_config("djf_x4").model).family == \
      "DeepJointFilter"
  with pytest.raises(ValueError, match="cannot tell the model"):
    spec_from_config({"features": 8})


def _zeros(spec):
  """Zero parameters of the shapes `spec` has (nothing initialised)."""
  state = nnx.to_pure_dict(nnx.state(abstract_model(spec), nnx.Param))
  return {"/".join(str(getattr(k, "key", k)) for k in path): np.zeros(leaf.shape)
          for path, leaf in jax.tree_util.tree_leaves_with_path(state)}


def test_loader_checks_spec_then_names_and_shapes():
  spec = sr_spec(2, "deconv", features=4)
  trained = build(spec, nnx.Rngs(3))
  flat = flatten_params(trained)
  model = load_params(spec, flat, "trained")
  for k, v in flatten_params(model).items():
    np.testing.assert_array_equal(v, flat[k])
  assert isinstance(model, SuperResolutionNet) and model.spec == spec
  # Same parameters, another option: the spec says what differs.
  with pytest.raises(ValueError, match=r"kwargs.global_skip: False != True"):
    assign_params(build(spec.replace(global_skip=True)), flat, spec=spec, source="x")
  # Same spec claimed, other widths: the shapes say what differs.
  depth = depth_spec("sa_m1_f8", 4)
  assert load_params(depth, _zeros(depth)).spec == depth
  with pytest.raises(ValueError, match="wrong shapes"):
    load_params(depth, _zeros(depth.replace(cnn_f=(8, 16))), "wide")
  with pytest.raises(ValueError, match="missing"):
    load_params(depth, {k: v for k, v in _zeros(depth).items() if "cnn_f" not in k})
