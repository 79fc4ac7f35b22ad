"""The blocked matmuls of the attention core against plain loops: the window
products q . k of `lowres_logits` (with the position rows joined to the
keys) and the weighted window sum of `attend`,
values and gradients, on sizes that are not multiples of the block; and the
edge ring of `lowres_logits` against products of the edge-padded queries."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax.ops._attention_core import window_sum
from attnup_jax.ops._attention_logits import (_edge_ring, combination_kernel, position_rows,
                                              shifted_products, window_products)


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


@pytest.mark.parametrize("products", [window_products, shifted_products])
@pytest.mark.parametrize("h,w,wide", [(9, 7, (-2, -1, 0, 1, 2)), (3, 2, (-1, 0, 1, 2)),
                                      (17, 10, (-1, 0, 1))])
def test_window_products_match_a_loop(h, w, wide, products):
  """Both forms: the window products q . k against a loop, and the products
  with the rows (joined to the keys' matmul in the blocked form) exactly q . rows."""
  r = np.random.default_rng(h)
  q, k = (r.normal(size=(h, w, 6)).astype(np.float32) for _ in range(2))
  rows = r.normal(size=(3, 6)).astype(np.float32)
  got, got_rows = products(jnp.asarray(q), jnp.asarray(k), list(wide), jnp.asarray(rows))
  np.testing.assert_allclose(got, _loop_products(q, k, wide), atol=1e-5)
  np.testing.assert_allclose(got_rows, np.einsum("mnc,pc->mnp", q.astype(np.float64), rows),
                             atol=1e-5)


@pytest.mark.parametrize("s,ksize", [(2, 5), (3, 7), (1, 3)])
def test_position_rows_hold_each_slot_encoding_in_its_half(s, ksize):
  """Row (y, a) = [pos_y[ky(y, a)], 0], row S*T + (x, b) = [0, pos_x[kx(x, b)]],
  with ky = S*dy_a - y + R clipped into the window (masked slots: any row)."""
  r = np.random.default_rng(s)
  half = 4
  pos_y, pos_x = (r.normal(size=(ksize, half)).astype(np.float32) for _ in range(2))
  rows = np.asarray(position_rows(jnp.asarray(pos_y), jnp.asarray(pos_x), s, ksize))
  rad = (ksize - 1) // 2
  offsets = range(-(rad // s), (s - 1 + rad) // s + 1)
  t = len(offsets)
  assert rows.shape == (2 * s * t, 2 * half)
  for y in range(s):
    for a, dy in enumerate(offsets):
      ky = min(max(s * dy - y + rad, 0), ksize - 1)
      if s * dy - y + rad == ky:                           # inside the window
        np.testing.assert_array_equal(rows[y * t + a], np.r_[pos_y[ky], np.zeros(half)])
        np.testing.assert_array_equal(rows[s * t + y * t + a],
                                      np.r_[np.zeros(half), pos_x[ky]])


@pytest.mark.parametrize("h,w,s,offsets", [(9, 7, 2, (-1, 0, 1)), (5, 3, 4, (-1, 0, 1, 2)),
                                           (2, 6, 3, (-1, 0, 1)),
                                           (6, 5, 1, (-3, -2, -1, 0, 1, 2, 3))])   # T - 1 > BLOCK
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
  rows = jnp.asarray(r.normal(size=(3, 4)), jnp.float32)
  g_rows = jnp.asarray(r.normal(size=(h, w, 3)), jnp.float32)

  def joint(q, k, rows):
    qk, q_rows = window_products(q, k, wide, rows)
    return jnp.sum(qk * g_qk) + jnp.sum(q_rows * g_rows)

  literal = lambda q, k, rows: (jnp.sum(literal_products(q, k) * g_qk) +
                                jnp.sum(jnp.einsum("mnc,pc->mnp", q, rows) * g_rows))
  fast = jax.jit(jax.grad(joint, (0, 1, 2)))(q, k, rows)
  slow = jax.jit(jax.grad(literal, (0, 1, 2)))(q, k, rows)
  for a, b in zip(fast, slow):
    np.testing.assert_allclose(a, b, atol=1e-5)


def _dot_precisions(fn, *args):
  eqns = jax.make_jaxpr(fn)(*args).jaxpr.eqns
  return [e.params["precision"] for e in eqns if e.primitive.name == "dot_general"]


HIGHEST = (jax.lax.Precision.HIGHEST, jax.lax.Precision.HIGHEST)


@pytest.mark.parametrize("dtype,weighted_sum", [(jnp.bfloat16, HIGHEST), (jnp.float32, None)])
def test_weighted_sum_precision_follows_the_values_dtype(dtype, weighted_sum):
  """The placement is exact (HIGHEST) always; the weighted sum keeps the
  float32 probabilities unrounded for bfloat16 values (HIGHEST: TPU and GPU
  would otherwise round them) and has jax's default precision for float32
  values, like the layer's other products."""
  p = jnp.ones((3, 2, 3, 2, 3, 3), jnp.float32)
  v = jnp.ones((3, 3, 4), dtype)
  placement, weighted = _dot_precisions(lambda p, v: window_sum(p, v, np.array([-1, 0, 1])),
                                        p, v)
  assert placement == HIGHEST
  assert weighted == weighted_sum


@pytest.mark.parametrize("h,w,s,ksize", [(5, 4, 2, 5), (1, 3, 2, 3), (4, 2, 3, 7), (3, 3, 4, 7)])
def test_edge_ring_is_the_products_of_the_edge_padded_queries(h, w, s, ksize):
  """Clamped bilinear upsampling = the interior formula on q padded by edge
  replication. The ring built from the image's own products must equal the
  products of those padded queries with the (zero-padded) keys, in every
  feature that the combination kernel reads there; checked against a loop."""
  from attnup_jax.ops._attention_logits import bilinear_taps
  from attnup_jax.ops._attention_windows import window_offsets
  r = np.random.default_rng(h * w + s)
  c = 4
  q, k = (r.normal(size=(h, w, c)).astype(np.float32) for _ in range(2))
  offsets, taps = window_offsets(s, ksize), bilinear_taps(s)
  wide = list(range(int(offsets[0]) - taps[-1], int(offsets[-1]) - taps[0] + 1))
  nw, npos = len(wide), 2 * s * len(offsets)
  pos = r.normal(size=(h, w, npos)).astype(np.float32)
  qk = _loop_products(q, k, wide).astype(np.float32).reshape(h, w, nw, nw)
  ring = np.asarray(_edge_ring(jnp.asarray(qk), jnp.asarray(pos)))
  assert ring.shape == (h + 2, w + 2, nw * nw + npos)
  qe = np.pad(q, ((1, 1), (1, 1), (0, 0)), mode="edge")
  pe = np.pad(pos, ((1, 1), (1, 1), (0, 0)), mode="edge")
  kz = np.pad(k, ((1, 1), (1, 1), (0, 0)))
  want = np.concatenate([_loop_products(qe, kz, wide), pe], -1)   # padded grid
  used = combination_kernel(s, ksize, wide).any(-1)                # [E, E, F]
  for m, n in np.ndindex(h + 2, w + 2):
    # the taps (ey, ex) that read padded cell (m, n) from some output pixel
    reads = np.zeros(used.shape[-1], bool)
    for iy, ix in np.ndindex(3, 3):
      if 0 <= m - iy < h and 0 <= n - ix < w:
        reads |= used[iy, ix]
    np.testing.assert_allclose(ring[m, n, reads], want[m, n, reads], atol=1e-5)
