"""The blocked matmuls of the attention core against plain loops: the window
products q . k of `lowres_logits` and the weighted window sum of `attend`,
values and gradients, on sizes that are not multiples of the block."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax.ops._attention_core import window_sum
from attnup_jax.ops._attention_logits import window_products


def _loop_products(q, k, wide):
  h, w, _ = k.shape
  out = np.zeros((h, w, len(wide) ** 2), np.float64)
  for m in range(h):
    for n in range(w):
      for i, a in enumerate(wide):
        for j, b in enumerate(wide):
          if 0 <= m + a < h and 0 <= n + b < w:
            out[m, n, i * len(wide) + j] = np.dot(q[m, n], k[m + a, n + b])
  return out


def _loop_sum(p, v, offsets):
  h, s, w, _, t, _ = p.shape
  out = np.zeros((h, s, w, s, v.shape[-1]), np.float64)
  for m in range(h):
    for n in range(w):
      for a, dy in enumerate(offsets):
        for b, dx in enumerate(offsets):
          if 0 <= m + dy < h and 0 <= n + dx < w:
            out[m, :, n] += p[m, :, n, :, a, b, None] * v[m + dy, n + dx]
  return out


@pytest.mark.parametrize("h,w,wide", [(9, 7, (-2, -1, 0, 1, 2)), (3, 2, (-1, 0, 1, 2)),
                                      (17, 10, (-1, 0, 1))])
def test_window_products_match_a_loop(h, w, wide):
  r = np.random.default_rng(h)
  q, k = (r.normal(size=(h, w, 6)).astype(np.float32) for _ in range(2))
  got = window_products(jnp.asarray(q), jnp.asarray(k), list(wide))
  np.testing.assert_allclose(got, _loop_products(q, k, wide), atol=1e-5)


@pytest.mark.parametrize("h,w,s,offsets", [(9, 7, 2, (-1, 0, 1)), (5, 3, 4, (-1, 0, 1, 2)),
                                           (2, 6, 3, (-1, 0, 1))])
def test_window_sum_matches_a_loop(h, w, s, offsets):
  r = np.random.default_rng(h * w)
  t = len(offsets)
  p = r.uniform(size=(h, s, w, s, t, t)).astype(np.float32)
  v = r.normal(size=(h, w, 5)).astype(np.float32)
  got = window_sum(jnp.asarray(p), jnp.asarray(v), np.asarray(offsets))
  np.testing.assert_allclose(got, _loop_sum(p, v, offsets), atol=1e-5)


def test_gradients_match_the_shifted_slices_form():
  """jax.grad through the blocks equals jax.grad of the literal sum over
  shifted slices (zero-padded), for every input."""
  r = np.random.default_rng(0)
  h, w, s, offsets, wide = 6, 5, 2, (-1, 0, 1), [-2, -1, 0, 1, 2]
  p = jnp.asarray(r.uniform(size=(h, s, w, s, 3, 3)), jnp.float32)
  v, q, k = (jnp.asarray(r.normal(size=(h, w, 4)), jnp.float32) for _ in range(3))
  g_out = jnp.asarray(r.normal(size=(h, s, w, s, 4)), jnp.float32)
  g_qk = jnp.asarray(r.normal(size=(h, w, 25)), jnp.float32)

  def shift(x, dy, dx):
    xp = jnp.pad(x, ((2, 2), (2, 2), (0, 0)))
    return xp[2 + dy:2 + dy + h, 2 + dx:2 + dx + w]

  def literal_sum(p, v):
    return sum(p[..., a, b, None] * shift(v, dy, dx)[:, None, :, None]
               for a, dy in enumerate(offsets) for b, dx in enumerate(offsets))

  def literal_products(q, k):
    return jnp.stack([jnp.sum(q * shift(k, a, b), -1) for a in wide for b in wide], -1)

  fast = jax.jit(jax.grad(lambda p, v: jnp.sum(window_sum(p, v, np.asarray(offsets)) * g_out),
                  (0, 1)))(p, v)
  slow = jax.jit(jax.grad(lambda p, v: jnp.sum(literal_sum(p, v) * g_out), (0, 1)))(p, v)
  for a, b in zip(fast, slow):
    np.testing.assert_allclose(a, b, atol=1e-5)
  fast = jax.jit(jax.grad(lambda q, k: jnp.sum(window_products(q, k, wide) * g_qk), (0, 1)))(q, k)
  slow = jax.jit(jax.grad(lambda q, k: jnp.sum(literal_products(q, k) * g_qk), (0, 1)))(q, k)
  for a, b in zip(fast, slow):
    np.testing.assert_allclose(a, b, atol=1e-5)
