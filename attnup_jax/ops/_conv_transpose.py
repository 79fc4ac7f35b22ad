"""Strided transposed convolution ('SAME'), computed by phases at low resolution.

The same function as `flax.nnx.ConvTranspose(..., padding='SAME')` /
`lax.conv_transpose(..., 'SAME')` with the same `[K, K, Cin, Cout]` kernel, but
without convolving over a zero-dilated input: output phase (ry, rx) is a small
convolution of the low-resolution input, all phases as one convolution to
S*S*Cout channels followed by depth-to-space (as a sub-pixel convolution).
XLA on CPU runs dilated-input convolutions slowly; this is the fair,
fast deconvolution baseline.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from attnup_jax.ops._checks import check_rank, check_stride
from attnup_jax.ops._conv import check_kernel_grad, conv2d


def _same_pad_before(k: int, s: int) -> int:
  """`lax.conv_transpose` 'SAME' padding before the dilated input."""
  return k - 1 if s > k - 1 else int(np.ceil((k + s - 2) / 2))


def phase_kernel_index(k: int, s: int) -> tuple[np.ndarray, np.ndarray]:
  """(offsets d `[T]`, index `[T, S]`): output phase r reads input m + d[t]
  with kernel tap index[t, r] (-1: no tap)."""
  pa = _same_pad_before(k, s)
  d = np.arange(-((pa) // s), (k - 2 + s - pa) // s + 1)
  idx = s * d[:, None] - np.arange(s)[None, :] + pa
  return d, np.where((idx >= 0) & (idx < k), idx, -1)


@functools.partial(jax.jit, static_argnames=("stride", "kernel_grad"))
def conv_transpose_phased(x: jax.Array, kernel: jax.Array, stride: int,
                          kernel_grad: str = "matmul") -> jax.Array:
  """x `[..., H, W, Cin]`, kernel `[K, K, Cin, Cout]` -> `[..., S*H, S*W, Cout]`.

  Equals `lax.conv_transpose(x, kernel, (S, S), 'SAME')` (no kernel flip, as
  flax's default `transpose_kernel=False`). `kernel_grad` is `ops.conv2d`'s.
  """
  s = check_stride(stride)
  check_kernel_grad(kernel_grad)
  check_rank(x, 3, "x", "[..., H, W, Cin]")
  k, k2, cin, cout = kernel.shape
  if k != k2 or x.shape[-1] != cin:
    raise ValueError(f"kernel {kernel.shape} must be [K, K, Cin, Cout] with Cin = "
                     f"x.shape[-1] = {x.shape[-1]}.")
  d, idx = phase_kernel_index(k, s)
  t = len(d)
  # taps[ty, tx, :, :, ry, rx] = kernel[idx[ty, ry], idx[tx, rx]] (0 where no tap)
  valid = (idx >= 0)[:, None, :, None] & (idx >= 0)[None, :, None, :]   # [T,T,S,S]
  safe = np.maximum(idx, 0)
  taps = kernel[safe[:, None, :, None], safe[None, :, None, :]]          # [T,T,S,S,Ci,Co]
  taps = jnp.where(valid[..., None, None], taps, 0)
  taps = taps.transpose(0, 1, 4, 2, 3, 5).reshape(t, t, cin, s * s * cout)
  lead, (h, w) = x.shape[:-3], x.shape[-3:-1]
  xb = x.reshape((-1, h, w, cin))
  pad = ((-int(d[0]), int(d[-1])),) * 2
  y = conv2d(xb, taps.astype(x.dtype), (1, 1), pad,
             dimension_numbers=("NHWC", "HWIO", "NHWC"), kernel_grad=kernel_grad)
  y = y.reshape(-1, h, w, s, s, cout).transpose(0, 1, 3, 2, 4, 5)
  return y.reshape(lead + (s * h, s * w, cout))
