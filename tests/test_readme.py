"""README.md's Python blocks run, and print what their comments claim."""

import pathlib
import re

import jax
import numpy as np
from flax import nnx

from attnup_jax.models.sr import count_params

README = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_readme_has_the_two_blocks():
  assert len(BLOCKS) == 2
  assert "AttentionUpsample(128, 64" in BLOCKS[0] and "24,896" in BLOCKS[0]
  assert "ops.attention_upsample(q, k, v, pos_y, pos_x" in BLOCKS[1]


def test_the_layer_in_ten_lines():
  scope = {}
  exec(BLOCKS[0], scope)   # noqa: S102 - the README's own code
  assert scope["y"].shape == (8, 64, 64, 64)
  assert scope["w"].shape == (8, 64, 64, 25)
  np.testing.assert_allclose(np.asarray(scope["w"]).sum(-1), 1.0, atol=1e-5)
  assert count_params(scope["layer"]) == 24_896 == 3 * 128 * 64 + 5 * 64
  conv = nnx.ConvTranspose(128, 64, (5, 5), strides=(2, 2), padding="SAME", rngs=nnx.Rngs(0))
  assert count_params(conv) == 204_864
  y_conv = jax.eval_shape(conv, scope["x"])
  assert y_conv.shape == scope["y"].shape


def test_the_pure_op():
  """The block's names, with the shapes its comment gives (S=2, H=W=8,
  C=16, Cv=8, K=5, one leading batch axis)."""
  rng = np.random.default_rng(0)
  scope = {"q": rng.normal(size=(3, 16, 16, 16)).astype(np.float32),
           "k": rng.normal(size=(3, 8, 8, 16)).astype(np.float32),
           "v": rng.normal(size=(3, 8, 8, 8)).astype(np.float32),
           "pos_y": rng.normal(size=(5, 8)).astype(np.float32),
           "pos_x": rng.normal(size=(5, 8)).astype(np.float32)}
  exec(BLOCKS[1], scope)   # noqa: S102 - the README's own code
  out = scope["out"]
  assert out.shape == (3, 16, 16, 8)
  reference = scope["ops"].attention_upsample(
      *(scope[n] for n in ("q", "k", "v", "pos_y", "pos_x")), stride=2, kernel_size=5,
      impl="reference")
  np.testing.assert_allclose(np.asarray(out), np.asarray(reference), rtol=1e-5, atol=1e-5)
