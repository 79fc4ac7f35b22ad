"""K x K patch extraction with zero padding ('SAME'), the windows of Eq. 12."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from attnup_jax.ops._batching import batched
from attnup_jax.ops._checks import check_kernel_size, check_rank


def _extract_one(x, k: int):
  h, w, _ = x.shape
  r = (k - 1) // 2
  xp = jnp.pad(x, ((r, r), (r, r), (0, 0)))
  # Window index t = ky * K + kx holds x[i + ky - R, j + kx - R].
  return jnp.stack([xp[ky:ky + h, kx:kx + w] for ky in range(k)
                    for kx in range(k)], axis=2)


@functools.partial(jax.jit, static_argnames=("kernel_size",))
def extract_patches(x: jax.Array, kernel_size: int) -> jax.Array:
  """All K x K windows of `x`, zero-padded at the borders.

  Args:
    x: `[..., H, W, C]`.
    kernel_size: odd K.

  Returns:
    `[..., H, W, K*K, C]` with `out[..., i, j, ky*K + kx, :] = x[..., i+ky-R, j+kx-R, :]`
    (zero outside the image), `R = (K-1)//2`.

  Example:
    >>> extract_patches(jnp.ones((2, 4, 4, 3)), 3).shape
    (2, 4, 4, 9, 3)
  """
  k = check_kernel_size(kernel_size)
  check_rank(x, 3, "x", "[..., H, W, C]")
  return batched(lambda a: _extract_one(a, k), (x,))
