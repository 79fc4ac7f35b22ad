"""The attention core every path shares: masked float32 softmax over each
phase's T x T low-resolution window, then the weighted sum of the values.

Plain JAX, no custom derivative rule and no sequential loop: `jax.grad`,
`jax.jvp` and `jax.vmap` all apply. The weighted sum is one matmul per
block of low-resolution cells (`window_sum`), so neither pass holds a
shifted copy of the values or a float32 high-resolution term per window
offset (XLA on CPU materialised both). Storage stays in the values' dtype;
the probabilities and every sum are float32.

Legend: m, n = low-res rows/cols; y, x = output phases (S); a, b = window
offsets (T); d = value channels.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

import numpy as np

from attnup_jax.ops._attention_windows import (phase_mask, shifted, window_blocks,
                                               window_offsets, window_picks)

BLOCK = 4     # low-resolution cells per block side in `window_sum` (T - 1 if larger)


def attend(logits, v, s: int, ksize: int, blocked: bool = True):
  """Softmax-weighted values of the phase windows.

  Args:
    logits: `[H, S, W, S, T, T]` float32, unmasked (any value where invalid).
    v: values `[H, W, D]` on the low-resolution grid.
    s, ksize: stride S and window K (static).
    blocked: the weighted sum by `window_sum` (impl "fast": least memory and
      time on CPU and HBM on TPU) or by `shifted_sum` (impl "shifted": less
      bfloat16 memory traffic on TPU; docs/BENCHMARKS.md).

  Returns:
    (out `[H, S, W, S, D]` in `v.dtype`, probabilities `[H, S, W, S, T, T]`
    float32, exactly 0 at invalid pairs).
  """
  h, w, _ = v.shape
  offsets = window_offsets(s, ksize)
  logits = jnp.where(phase_mask(h, w, s, ksize), logits, -jnp.inf)
  p = jax.nn.softmax(logits, axis=(-2, -1))                       # [m,y,n,x,a,b]
  total = (window_sum if blocked else shifted_sum)(p, v, offsets)
  return total.astype(v.dtype), p


def shifted_sum(p, v, offsets):
  """`window_sum` as a sum over the T*T window offsets of `p` times the
  values shifted by that offset (one slice of a padded copy each)."""
  f32, out = jnp.float32, None
  for (dy, dx), vt in shifted(v, offsets).items():
    a, b = dy - int(offsets[0]), dx - int(offsets[0])
    term = p[..., a, b, None] * vt.astype(f32)[:, None, :, None, :]
    out = term if out is None else out + term
  return out


def window_sum(p, v, offsets):
  """`out[m, y, n, x] = sum_ab p[m, y, n, x, a, b] v[m + o_a, n + o_b]` (v = 0
  outside), float32 `[H, S, W, S, D]`, as one matmul per block of B x B
  low-resolution cells: the block's S*S*B*B outputs against the (B + T - 1)^2
  values their windows reach, the probabilities placed into that dense
  matrix by a constant 0/1 table (an exact matmul). Every intermediate is of
  the size of the output or of the low-resolution values, in either pass
  (no shifted copy of v per offset, no float32 term per offset); sizes may
  be symbolic.

  The weighted sum has `value_sum_precision(v.dtype)`."""
  h, s, w, _, t, _ = p.shape
  halo = t - 1
  b = max(BLOCK, halo)            # a block holds its halo (axis_blocks)
  vb = window_blocks(v, -int(offsets[0]), b, halo).astype(jnp.float32)  # [u,v,K,d]
  nh, nwb, _, d = vb.shape
  pp = jnp.pad(p, ((0, nh * b - h), (0, 0), (0, nwb * b - w), (0, 0), (0, 0), (0, 0)))
  pp = pp.reshape(nh, b, s, nwb, b, s, t * t)
  pp = jnp.moveaxis(pp, 3, 1).reshape(nh, nwb, (b * s) ** 2, t * t)  # q = (cy,y,cx,x)
  cy, _, cx, _ = np.unravel_index(np.arange((b * s) ** 2), (b, s, b, s))
  dense = jnp.einsum("uvqt,qkt->uvqk", pp, window_picks(cy, cx, t, b, halo),
                     precision=jax.lax.Precision.HIGHEST)            # exact placement
  out = jnp.einsum("uvqk,uvkd->uvqd", dense, vb, precision=value_sum_precision(v.dtype))
  out = out.reshape(nh, nwb, b, s, b, s, d)
  out = jnp.moveaxis(out, 1, 3).reshape(nh * b, s, nwb * b, s, d)
  return out[:h, :, :w]


def value_sum_precision(dtype):
  """The precision of the weighted sum's matmul (probabilities times values).

  Values narrower than float32 (bfloat16): HIGHEST, so that the float32
  probabilities are not rounded to the values' dtype on TPU or GPU (the
  output is float32 rounded once, `tests/test_numerics.py`). Float32 values:
  None, jax's default matmul precision, as for every other product of the
  layer and for `nnx.ConvTranspose` (on TPU, bfloat16 passes unless
  `jax_default_matmul_precision` says otherwise); HIGHEST there made XLA's
  TPU compiler store the dense probability matrix, padded to 128 lanes
  (docs/BENCHMARKS.md, "The weighted sum's precision"). On CPU both are
  float32."""
  return jax.lax.Precision.HIGHEST if jnp.dtype(dtype).itemsize < 4 else None
