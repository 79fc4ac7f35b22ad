"""2-D convolution with a fast kernel gradient on CPU.

XLA on CPU computes the kernel gradient of a convolution (a convolution whose
"kernel" is the whole input image) 10-17x slower than the forward pass
(`benchmarks/conv_grad.py`), so a training step is dominated by it. `conv2d`
is `lax.conv_general_dilated` with a custom VJP whose kernel gradient is
Kh matrix products, one per kernel row:

    dkernel[dy] = einsum('bhwxc,bhwo->xco', patches_dy, d_out)   [Kw, Cin, Cout]

where `patches_dy[b, h, w, dx, c] = x_padded[b, h + dy, w + dx, c]` (the
Kw-wide row of the input seen by output pixel (h, w)). When the output has
fewer channels than the input (the 5x5 48 -> 1 conv that ends each DJF
branch) the window moves onto the output gradient: the same products over
Kw-wide patches of the padded g, so the patches have Kw*min(Cin, Cout)
channels (DJF's step time: docs/RESULTS.md). The input gradient is the usual
transposed convolution. Same function, same gradients (up to float32
summation order).

The kernel gradient is chosen explicitly, never by the backend:
`kernel_grad="matmul"` (the default, what the CPU training configs need)
uses the custom rule for the common case (2-D NHWC/HWIO, stride 1, no
dilation, one group, default precision); `kernel_grad="xla"` is
`lax.conv_general_dilated` itself, XLA's own gradient (what GPU and TPU run
best). It has that function's signature, so it plugs into
`nnx.Conv(..., conv_general_dilated=ops.conv2d)` or, to choose the
gradient, `conv_general_dilated=ops.conv2d_with("xla")`.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

_NHWC = ("NHWC", "HWIO", "NHWC")
KERNEL_GRADS = ("matmul", "xla")


def check_kernel_grad(kernel_grad: str) -> str:
  if kernel_grad not in KERNEL_GRADS:
    raise ValueError(f"`kernel_grad` must be one of {KERNEL_GRADS} ('matmul': "
                     f"fast on CPU; 'xla': XLA's own gradient, for GPU/TPU), got "
                     f"{kernel_grad!r}.")
  return kernel_grad


def _pads(padding, kh: int, kw: int):
  """lax padding (string or pairs) -> ((top, bottom), (left, right))."""
  if isinstance(padding, str) and padding.upper() == "SAME":
    return tuple(((k - 1) // 2, k - 1 - (k - 1) // 2) for k in (kh, kw))
  if isinstance(padding, str) and padding.upper() == "VALID":
    return ((0, 0), (0, 0))
  if isinstance(padding, str):
    raise ValueError(f"padding must be 'SAME', 'VALID' or pairs, got {padding!r}.")
  return tuple(tuple(int(p) for p in pair) for pair in padding)


def _dimension_numbers_are_nhwc(dn) -> bool:
  if dn is None:
    return False
  if isinstance(dn, lax.ConvDimensionNumbers):
    return dn == lax.conv_dimension_numbers((1, 1, 1, 1), (1, 1, 1, 1), _NHWC)
  return tuple(dn) == _NHWC


def _conv(x, kernel, pads):
  return lax.conv_general_dilated(x, kernel, (1, 1), pads, dimension_numbers=_NHWC)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _conv_nhwc(x, kernel, pads):
  """x `[B, H, W, Cin]`, kernel `[Kh, Kw, Cin, Cout]` -> `[B, H', W', Cout]`."""
  return _conv(x, kernel, pads)


def _conv_fwd(x, kernel, pads):
  return _conv(x, kernel, pads), (x, kernel)


def _conv_bwd(pads, res, g):
  x, kernel = res
  (pt, pb), (pl, pr) = pads
  kh, kw = kernel.shape[:2]
  # Input gradient: the transposed convolution (fast on CPU). The conv is
  # linear in x: transpose it directly rather than through jax.vjp, which
  # would evaluate the forward convolution again.
  (dx,) = jax.linear_transpose(lambda x_: _conv(x_, kernel, pads), x)(g)
  # Kernel gradient: one matrix product per kernel row, over patches of
  # whichever of x and g has fewer channels.
  xp = jnp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
  if x.shape[-1] <= g.shape[-1]:
    dkernel = _patch_products(xp, g, kh, kw)                   # [Kh, Kw, Cin, Cout]
  else:
    # dkernel[dy, dx] = sum xp[h, w] g[h - dy, w - dx]: window (Kh-1-dy,
    # Kw-1-dx) of g padded by the kernel size, against xp.
    gp = jnp.pad(g, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    dkernel = jnp.swapaxes(_patch_products(gp, xp, kh, kw)[::-1, ::-1], 2, 3)
  return dx, dkernel.astype(kernel.dtype)


def _patch_products(a, b, kh: int, kw: int):
  """`[Kh, Kw, Ca, Cb]` float32: `out[dy, dx] = sum_{n, h, w} a[n, h + dy, w + dx] b[n, h, w]`
  for a `[N, >= H + Kh - 1, >= W + Kw - 1, Ca]`, b `[N, H, W, Cb]`: one matrix
  product per kernel row dy, over the Kw-wide patches of a (Kw*Ca columns)."""
  _, h, w, cb = b.shape
  ca = a.shape[-1]
  b_t = b.reshape(-1, cb).T                                    # [Cb, N*H*W]
  rows = []
  for dy in range(kh):
    band = a[:, dy:dy + h]                                     # [N, H, Wa, Ca]
    patches = jnp.concatenate([band[:, :, dx:dx + w] for dx in range(kw)], -1)
    row = jnp.dot(b_t, patches.reshape(-1, kw * ca),           # [Cb, Kw*Ca]
                  preferred_element_type=jnp.float32)
    rows.append(row.T.reshape(kw, ca, cb))
  return jnp.stack(rows)


_conv_nhwc.defvjp(_conv_fwd, _conv_bwd)


def conv2d(lhs, rhs, window_strides=(1, 1), padding="SAME", lhs_dilation=None,
           rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
           batch_group_count=1, precision=None, preferred_element_type=None,
           *, kernel_grad: str = "matmul", **kwargs):
  """`lax.conv_general_dilated`, with a choice of kernel gradient.

  lhs `[B, H, W, Cin]`, rhs `[Kh, Kw, Cin, Cout]` (NHWC / HWIO) -> `[B, H', W', Cout]`.
  `kernel_grad`: "matmul" (one matrix product per kernel row, fast on CPU)
  or "xla" (XLA's convolution gradient); same values either way.

  Example:
    >>> x, k = jnp.ones((1, 8, 8, 3)), jnp.ones((3, 3, 3, 4))
    >>> conv2d(x, k, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")).shape
    (1, 8, 8, 4)
  """
  simple = (check_kernel_grad(kernel_grad) == "matmul"
            and getattr(lhs, "ndim", 0) == 4 and getattr(rhs, "ndim", 0) == 4
            and tuple(window_strides) == (1, 1)
            and lhs_dilation in (None, (1, 1)) and rhs_dilation in (None, (1, 1))
            and feature_group_count == 1 and batch_group_count == 1
            and precision is None and preferred_element_type is None
            and kwargs.get("out_sharding") is None
            and _dimension_numbers_are_nhwc(dimension_numbers)
            and lhs.dtype == rhs.dtype)
  if not simple:
    return lax.conv_general_dilated(
        lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
        feature_group_count=feature_group_count,
        batch_group_count=batch_group_count, precision=precision,
        preferred_element_type=preferred_element_type, **kwargs)
  kh, kw = rhs.shape[:2]
  return _conv_nhwc(lhs, rhs, _pads(padding, kh, kw))


def conv2d_with(kernel_grad: str = "matmul"):
  """`conv2d` with its kernel gradient fixed, for `nnx.Conv(conv_general_dilated=...)`.

  Example:
    >>> conv = nnx.Conv(3, 4, (3, 3), conv_general_dilated=conv2d_with("xla"),
    ...                 rngs=nnx.Rngs(0))
    >>> conv(jnp.ones((1, 8, 8, 3))).shape
    (1, 8, 8, 4)
  """
  return functools.partial(conv2d, kernel_grad=check_kernel_grad(kernel_grad))
