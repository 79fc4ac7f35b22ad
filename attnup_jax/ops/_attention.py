"""`attention_upsample`: masked windowed attention upsampling (paper Eqs. 8-12).

One public function, two implementations that agree to 1e-5 in float32:
`impl="fast"` (phase-decomposed, the default) and `impl="reference"` (literal).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from attnup_jax.ops._attention_fast import fast_one
from attnup_jax.ops._attention_reference import reference_one
from attnup_jax.ops._batching import batched
from attnup_jax.ops._checks import check_kernel_size, check_rank, check_stride

IMPLS = ("fast", "reference")


def _check_inputs(q, k, v, pos_y, pos_x, s: int, ksize: int):
  check_rank(q, 3, "q", "[..., S*H, S*W, C]")
  check_rank(k, 3, "k", "[..., H, W, C]")
  check_rank(v, 3, "v", "[..., H, W, Cv]")
  h, w, c = k.shape[-3:]
  if c % 2:
    raise ValueError(
        f"query/key channels C must be even (the position encoding is split "
        f"into C/2 rows and C/2 columns), got k.shape={k.shape}.")
  if q.shape[-3:] != (s * h, s * w, c):
    raise ValueError(
        f"`q` must be [..., S*H, S*W, C] = [..., {s * h}, {s * w}, {c}] for "
        f"k.shape={k.shape} and stride={s}, got q.shape={q.shape}.")
  if v.shape[-3:-1] != (h, w):
    raise ValueError(
        f"`v` must share the low-resolution grid of `k` [..., {h}, {w}, Cv], got "
        f"v.shape={v.shape} and k.shape={k.shape}.")
  if q.shape[:-3] != k.shape[:-3] or k.shape[:-3] != v.shape[:-3]:
    raise ValueError(
        f"`q`, `k` and `v` must have the same batch dimensions, got "
        f"{q.shape}, {k.shape}, {v.shape}.")
  for name, p in (("pos_y", pos_y), ("pos_x", pos_x)):
    if getattr(p, "shape", None) != (ksize, c // 2):
      raise ValueError(
          f"`{name}` must be [K, C//2] = [{ksize}, {c // 2}] for kernel_size="
          f"{ksize} and C={c}, got {getattr(p, 'shape', None)}.")
  if not (isinstance(h, int) and isinstance(w, int)):
    return                                  # symbolic sizes (jax.export)
  if h < 1 or w < 1:
    raise ValueError(f"empty image: k.shape={k.shape}.")


@functools.partial(
    jax.jit,
    static_argnames=("stride", "kernel_size", "scale", "impl", "return_weights"))
def attention_upsample(q: jax.Array, k: jax.Array, v: jax.Array,
                       pos_y: jax.Array, pos_x: jax.Array, *, stride: int,
                       kernel_size: int, scale: float | None = None,
                       impl: str = "fast", return_weights: bool = False):
  """Masked windowed attention from a low- to an S-times higher-resolution grid.

  For output pixel (i, j) and window offset (a-i, b-j) in [-R, R]^2, position
  (a, b) of the zero-upsampled grid is valid iff a % S == b % S == 0 and it is
  inside the image; then

      logit = scale * q[i, j] . (k_up[a, b] + concat(pos_y[a-i+R], pos_x[b-j+R]))
      out[i, j] = sum over valid (a, b) of softmax(logit) * v_up[a, b].

  Invalid positions get probability exactly 0; logits and softmax are float32
  whatever the input dtype. S = 1 is attention-based convolution (Eq. 7).

  Args:
    q: queries on the high-resolution grid, `[..., S*H, S*W, C]`, C even.
    k: keys on the low-resolution grid, `[..., H, W, C]`.
    v: values on the low-resolution grid, `[..., H, W, Cv]`.
    pos_y, pos_x: relative position encodings, `[K, C//2]` each.
    stride: S >= 1 (static).
    kernel_size: odd K >= 2S-1 (static).
    scale: logit scale; `None` means 1/sqrt(C), `1.0` is Eq. 12 literally.
    impl: "fast" (exact, phase-decomposed) or "reference" (literal).
    return_weights: also return the attention weights `[..., S*H, S*W, K*K]`
      (window index ky*K + kx, zeros at invalid positions).

  Returns:
    `[..., S*H, S*W, Cv]` in `v.dtype`, or `(out, weights)`.

  Example:
    >>> q = jnp.ones((2, 8, 8, 4)); k = v = jnp.ones((2, 4, 4, 4))
    >>> pos = jnp.zeros((3, 2))
    >>> attention_upsample(q, k, v, pos, pos, stride=2, kernel_size=3).shape
    (2, 8, 8, 4)
  """
  s = check_stride(stride)
  ksize = check_kernel_size(kernel_size, s)
  if impl not in IMPLS:
    raise ValueError(f"`impl` must be one of {IMPLS}, got {impl!r}.")
  _check_inputs(q, k, v, pos_y, pos_x, s, ksize)
  c = k.shape[-1]
  scale = 1.0 / math.sqrt(c) if scale is None else float(scale)
  if impl == "reference":
    def one(q1, k1, v1, py, px):
      out, weights = reference_one(q1, k1, v1, py, px, s, ksize, scale)
      return (out, weights) if return_weights else out
  else:
    def one(q1, k1, v1, py, px):
      return fast_one(q1, k1, v1, py, px, s, ksize, scale, return_weights)
  return batched(one, (q, k, v, pos_y, pos_x), image_args=3)


def attention_weights(q, k, pos_y, pos_x, *, stride: int, kernel_size: int,
                      scale: float | None = None, impl: str = "fast"):
  """The attention weights alone, `[..., S*H, S*W, K*K]`, for visualisation.

  Row `[i, j]` holds the softmax over the K x K window centred on output pixel
  (i, j), window index ky*K + kx, zero at invalid positions; it sums to 1.

  Example:
    >>> w = attention_weights(jnp.ones((8, 8, 4)), jnp.ones((4, 4, 4)),
    ...                       jnp.zeros((3, 2)), jnp.zeros((3, 2)), stride=2, kernel_size=3)
    >>> w.shape, float(w[1, 1].sum())
    ((8, 8, 9), 1.0)
  """
  v = jnp.zeros(k.shape[:-1] + (1,), jnp.float32)
  _, weights = attention_upsample(q, k, v, pos_y, pos_x, stride=stride,
                                  kernel_size=kernel_size, scale=scale,
                                  impl=impl, return_weights=True)
  return weights
