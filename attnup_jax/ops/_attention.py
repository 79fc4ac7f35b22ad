"""Masked windowed attention upsampling (paper Eqs. 8-12), public functions.

`attention_upsample` takes queries on the high-resolution grid (guided
attention, the depth model); `attention_upsample_bilinear` takes
low-resolution queries and attends with their bilinear upsampling (the plain
`AttentionUpsample` layer), without ever building it. Implementations, all
equal to 1e-5 in float32 (values and gradients):

- `"fast"` (default): the phase-decomposed logits (`_attention_logits.py`,
  from low-resolution products for `attention_upsample_bilinear`) and the
  shared core (`_attention_core.py`). Plain JAX: `grad`, `jvp`, `vmap`.
- `"shifted"`: the same, with the window sums taken over shifted slices
  instead of blocked matmuls: more memory and time on CPU and more HBM on
  TPU, but the least memory traffic in bfloat16 on TPU by XLA's cost model
  (docs/BENCHMARKS.md).
- `"loop"`: the previous core, sequential loops and a custom VJP
  (`_attention_loop.py`); no `jvp`, no `return_weights`. The lowest TPU
  peak for high-resolution queries (`attention_upsample`).
- `"reference"`: the literal definition (`_attention_reference.py`).
- `"highres"` (`attention_upsample_bilinear` only): bilinear upsampling, then
  `attention_upsample(impl="fast")`.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from attnup_jax.ops._attention_core import attend
from attnup_jax.ops._attention_logits import highres_logits, lowres_logits
from attnup_jax.ops._attention_loop import loop_one
from attnup_jax.ops._attention_reference import reference_one
from attnup_jax.ops._attention_windows import phase_weights_to_window
from attnup_jax.ops._batching import batched
from attnup_jax.ops._checks import check_kernel_size, check_rank, check_stride
from attnup_jax.ops._resample import bilinear_upsample

IMPLS = ("fast", "shifted", "loop", "reference")
BILINEAR_IMPLS = IMPLS + ("highres",)
_STATIC = ("stride", "kernel_size", "scale", "impl", "return_weights")


def _check_inputs(q, k, v, pos_y, pos_x, q_stride: int, ksize: int):
  """`q_stride` = S for high-resolution queries, 1 for low-resolution ones."""
  s = q_stride
  grid = "[..., H, W, C]" if s == 1 else "[..., S*H, S*W, C]"
  check_rank(q, 3, "q", grid)
  check_rank(k, 3, "k", "[..., H, W, C]")
  check_rank(v, 3, "v", "[..., H, W, Cv]")
  h, w, c = k.shape[-3:]
  if c % 2:
    raise ValueError(
        f"query/key channels C must be even (the position encoding is split "
        f"into C/2 rows and C/2 columns), got k.shape={k.shape}.")
  if q.shape[-3:] != (s * h, s * w, c):
    raise ValueError(
        f"`q` must be {grid} = [..., {s * h}, {s * w}, {c}] for "
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


def _static_args(stride, kernel_size, scale, impl, impls, k):
  s = check_stride(stride)
  ksize = check_kernel_size(kernel_size, s)
  if impl not in impls:
    raise ValueError(f"`impl` must be one of {impls}, got {impl!r}.")
  scale = 1.0 / math.sqrt(k.shape[-1]) if scale is None else float(scale)
  return s, ksize, scale


def _fast(logits_fn, s, ksize, scale, return_weights, blocked=True):
  """One image through `logits_fn` and the shared core."""
  def one(q, k, v, pos_y, pos_x):
    h, w, d = v.shape
    out, p = attend(logits_fn(q, k, pos_y, pos_x, s, ksize, scale), v, s, ksize,
                    blocked)
    out = out.reshape(h * s, w * s, d)
    return (out, phase_weights_to_window(p, s, ksize)) if return_weights else out
  return one


@functools.partial(jax.jit, static_argnames=_STATIC)
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

  Invalid positions get probability exactly 0. Inputs are stored in their own
  dtype; products accumulate in float32 and the softmax is float32. S = 1 is
  attention-based convolution (Eq. 7).

  Args:
    q: queries on the high-resolution grid, `[..., S*H, S*W, C]`, C even.
    k: keys on the low-resolution grid, `[..., H, W, C]`.
    v: values on the low-resolution grid, `[..., H, W, Cv]`.
    pos_y, pos_x: relative position encodings, `[K, C//2]` each.
    stride: S >= 1 (static).
    kernel_size: odd K >= 2S-1 (static).
    scale: logit scale; `None` means 1/sqrt(C), `1.0` is Eq. 12 literally.
    impl: "fast", "shifted", "loop" or "reference" (module docstring).
    return_weights: also return the attention weights `[..., S*H, S*W, K*K]`
      (window index ky*K + kx, zeros at invalid positions), float32.

  Returns:
    `[..., S*H, S*W, Cv]` in `v.dtype`, or `(out, weights)`.

  Example:
    >>> q = jnp.ones((2, 8, 8, 4)); k = v = jnp.ones((2, 4, 4, 4))
    >>> pos = jnp.zeros((3, 2))
    >>> attention_upsample(q, k, v, pos, pos, stride=2, kernel_size=3).shape
    (2, 8, 8, 4)
  """
  s, ksize, scale = _static_args(stride, kernel_size, scale, impl, IMPLS, k)
  _check_inputs(q, k, v, pos_y, pos_x, s, ksize)
  if impl == "loop" and return_weights:
    raise ValueError("impl='loop' does not return weights; use impl='fast'.")
  if impl == "reference":
    def one(q1, k1, v1, py, px):
      out, weights = reference_one(q1, k1, v1, py, px, s, ksize, scale)
      return (out, weights) if return_weights else out
  elif impl == "loop":
    one = lambda *a: loop_one(*a, s, ksize, scale)
  else:
    one = _fast(highres_logits, s, ksize, scale, return_weights,
                blocked=impl == "fast")
  return batched(one, (q, k, v, pos_y, pos_x), image_args=3)


@functools.partial(jax.jit, static_argnames=_STATIC)
def attention_upsample_bilinear(q: jax.Array, k: jax.Array, v: jax.Array,
                                pos_y: jax.Array, pos_x: jax.Array, *,
                                stride: int, kernel_size: int,
                                scale: float | None = None, impl: str = "fast",
                                return_weights: bool = False):
  """`attention_upsample(bilinear_upsample(q, S), k, v, ...)` for low-resolution `q`.

  The same function (queries bilinearly upsampled with half-pixel centres and
  clamped edges, as `jax.image.resize`), but with `impl="fast"` the
  high-resolution queries `[..., S*H, S*W, C]` are never built: the logits
  are fixed combinations of low-resolution products (`_attention_logits.py`).

  Args:
    q, k: low-resolution queries and keys, `[..., H, W, C]`, C even.
    v: values `[..., H, W, Cv]`.
    pos_y, pos_x, stride, kernel_size, scale, return_weights: as
      `attention_upsample`.
    impl: "fast", "shifted", "highres", "loop" or "reference" (module docstring).

  Returns:
    `[..., S*H, S*W, Cv]` in `v.dtype`, or `(out, weights)`.

  Example:
    >>> q = k = v = jnp.ones((2, 4, 4, 4)); pos = jnp.zeros((3, 2))
    >>> attention_upsample_bilinear(q, k, v, pos, pos, stride=2, kernel_size=3).shape
    (2, 8, 8, 4)
  """
  s, ksize, scale = _static_args(stride, kernel_size, scale, impl, BILINEAR_IMPLS, k)
  _check_inputs(q, k, v, pos_y, pos_x, 1, ksize)
  if impl not in ("fast", "shifted"):
    return attention_upsample(
        bilinear_upsample(q, s), k, v, pos_y, pos_x, stride=s, kernel_size=ksize,
        scale=scale, impl="fast" if impl == "highres" else impl,
        return_weights=return_weights)
  blocked = impl == "fast"
  one = _fast(functools.partial(lowres_logits, blocked=blocked), s, ksize, scale,
              return_weights, blocked)
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
