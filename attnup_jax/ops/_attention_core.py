"""The attention core every path shares: masked float32 softmax over each
phase's T x T low-resolution window, then the weighted sum of the values.

Plain JAX, no custom derivative rule and no sequential loop: `jax.grad`,
`jax.jvp` and `jax.vmap` all apply, and XLA fuses the sum over the T*T
offsets into one pass that writes the output once. Storage stays in the
values' dtype; the probabilities and every sum are float32.

Legend: m, n = low-res rows/cols; y, x = output phases (S); a, b = window
offsets (T); d = value channels.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from attnup_jax.ops._attention_windows import phase_mask, shifted, window_offsets


def attend(logits, v, s: int, ksize: int):
  """Softmax-weighted values of the phase windows.

  Args:
    logits: `[H, S, W, S, T, T]` float32, unmasked (any value where invalid).
    v: values `[H, W, D]` on the low-resolution grid.
    s, ksize: stride S and window K (static).

  Returns:
    (out `[H, S, W, S, D]` in `v.dtype`, probabilities `[H, S, W, S, T, T]`
    float32, exactly 0 at invalid pairs).
  """
  h, w, _ = v.shape
  offsets = window_offsets(s, ksize)
  logits = jnp.where(phase_mask(h, w, s, ksize), logits, -jnp.inf)
  p = jax.nn.softmax(logits, axis=(-2, -1))                       # [m,y,n,x,a,b]
  f32 = jnp.float32
  out = None
  for (dy, dx), vt in shifted(v, offsets).items():
    a, b = dy - int(offsets[0]), dx - int(offsets[0])
    term = p[..., a, b, None] * vt.astype(f32)[:, None, :, None, :]
    out = term if out is None else out + term
  return out.astype(v.dtype), p
