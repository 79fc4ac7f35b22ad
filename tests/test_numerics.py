"""bfloat16 inputs and huge logits (SPEC Sec. 1: softmax in float32, no NaN)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax import ops

BF16_EPS = float(jnp.finfo(jnp.bfloat16).eps)      # 2**-7: one ulp at 1.0


def bf16_close_to_rounded_float32(out16, out32, ulps: float = 1.0):
  """|out16 - round_bf16(out32)| <= ulps * eps * |out32| (+ float32 noise).

  Storing bfloat16 but computing every product, the softmax and every sum in
  float32 leaves only the final rounding: at most one bfloat16 ulp from the
  float32 result, rounded (two roundings can differ by one ulp where float32
  summation order moves a value across a rounding boundary). A bfloat16
  softmax or bfloat16 sums are off by several ulps.
  """
  want = np.asarray(out32.astype(jnp.bfloat16).astype(jnp.float32))
  got = np.asarray(out16.astype(jnp.float32))
  ref = np.abs(np.asarray(out32))
  tol = ulps * BF16_EPS * ref + 1e-6 * ref.max()
  return float(np.max(np.abs(got - want) / tol))


CASES = [("attention_upsample", "fast"), ("attention_upsample", "reference"),
         ("attention_upsample_bilinear", "fast"), ("attention_upsample_bilinear", "shifted")]


@pytest.mark.parametrize("name,impl", CASES)
def test_bfloat16_is_float32_rounded_once(rng, name, impl):
  s, k, h, w = 2, 5, 6, 5
  qs = 1 if name.endswith("bilinear") else s
  shapes = [(2, qs * h, qs * w, 8), (2, h, w, 8), (2, h, w, 6), (k, 4), (k, 4)]
  args16 = [jnp.asarray(rng.normal(size=sh), jnp.bfloat16) for sh in shapes]
  f = lambda *a: getattr(ops, name)(*a, stride=s, kernel_size=k, impl=impl,
                                    return_weights=True)
  out16, w16 = f(*args16)
  out32, _ = f(*[a.astype(jnp.float32) for a in args16])
  chex.assert_type([out16, w16], [jnp.bfloat16, jnp.float32])
  chex.assert_tree_all_finite(out16)
  assert bf16_close_to_rounded_float32(out16, out32) <= 1.0


def test_the_bfloat16_check_rejects_a_bfloat16_softmax(rng):
  """The tolerance above is tight enough: the same attention with its softmax
  in bfloat16 (a plain-JAX re-implementation on the phase grid) fails it."""
  s, k, h, w = 2, 5, 6, 5
  args16 = [jnp.asarray(rng.normal(size=sh), jnp.bfloat16) for sh in
            [(s * h, s * w, 8), (h, w, 8), (h, w, 6), (k, 4), (k, 4)]]
  out32, w32 = ops.attention_upsample(*[a.astype(jnp.float32) for a in args16],
                                      stride=s, kernel_size=k, return_weights=True)
  # weights through bfloat16, then the value sum in float32: only the softmax is bf16.
  from attnup_jax.ops._patches import extract_patches
  v_win = extract_patches(ops.zero_upsample(args16[2].astype(jnp.float32), s), k)
  w16 = w32.astype(jnp.bfloat16).astype(jnp.float32)
  out_bf16_softmax = jnp.einsum("hwt,hwtd->hwd", w16, v_win).astype(jnp.bfloat16)
  assert bf16_close_to_rounded_float32(out_bf16_softmax, out32) > 1.0


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
  chex.assert_tree_all_finite((out, grads))
  # Saturated softmax picks one valid neighbour: outputs are values of v.
  assert np.all(np.min(np.abs(np.asarray(out)[:, :, None, None, :] -
                              np.asarray(v)[None, None]).sum(-1), axis=(2, 3)) < 1e-3)
