"""bfloat16 inputs and huge logits (SPEC Sec. 1: softmax in float32, no NaN)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax import ops


@pytest.mark.parametrize("impl", ["fast", "reference"])
def test_bfloat16_close_to_float32(rng, impl):
  s, k = 2, 5
  args32 = [jnp.asarray(rng.normal(size=sh), jnp.float32) for sh in
            [(2, 12, 10, 8), (2, 6, 5, 8), (2, 6, 5, 6), (k, 4), (k, 4)]]
  args16 = [a.astype(jnp.bfloat16) for a in args32]
  kw = dict(stride=s, kernel_size=k, impl=impl)
  out16 = ops.attention_upsample(*args16, **kw)
  out32 = ops.attention_upsample(*[a.astype(jnp.float32) for a in args16], **kw)
  assert out16.dtype == jnp.bfloat16
  assert bool(jnp.all(jnp.isfinite(out16)))
  rel = float(jnp.linalg.norm(out16.astype(jnp.float32) - out32) / jnp.linalg.norm(out32))
  assert rel < 1e-2


@pytest.mark.parametrize("impl", ["fast", "reference"])
def test_logits_of_magnitude_1e4_stay_finite(rng, impl):
  s, k = 2, 3
  q = jnp.asarray(rng.normal(size=(6, 6, 4)) * 100, jnp.float32)
  key = jnp.asarray(rng.normal(size=(3, 3, 4)) * 100, jnp.float32)
  v = jnp.asarray(rng.normal(size=(3, 3, 2)), jnp.float32)
  pos = jnp.zeros((k, 2), jnp.float32)
  f = lambda q, key, v: ops.attention_upsample(q, key, v, pos, pos, stride=s,
                                               kernel_size=k, scale=1.0, impl=impl)
  logits_scale = float(jnp.abs(jnp.einsum("ijc,mnc->ijmn", q, key)).max())
  assert logits_scale > 1e4
  out = f(q, key, v)
  grads = jax.grad(lambda *a: jnp.sum(f(*a)), argnums=(0, 1, 2))(q, key, v)
  assert bool(jnp.all(jnp.isfinite(out)))
  assert all(bool(jnp.all(jnp.isfinite(g))) for g in grads)
  # Saturated softmax picks one valid neighbour: outputs are values of v.
  assert np.all(np.min(np.abs(np.asarray(out)[:, :, None, None, :] -
                              np.asarray(v)[None, None]).sum(-1), axis=(2, 3)) < 1e-3)
