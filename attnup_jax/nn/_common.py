"""Pieces shared by the attention layers: argument normalisation, projections,
position encodings."""

from __future__ import annotations

import jax.numpy as jnp
from flax import nnx

from attnup_jax.ops._checks import as_pair, check_kernel_size, check_stride

POSITION_INIT = nnx.initializers.normal(stddev=1.0)


def window_args(kernel_size, strides) -> tuple[int, int]:
  """(K, S) from int-or-pair arguments, as `nnx.ConvTranspose` accepts them."""
  s = check_stride(as_pair(strides, "strides"), "strides")
  k = check_kernel_size(as_pair(kernel_size, "kernel_size"), s)
  return k, s


def check_out_features(out_features: int) -> int:
  if out_features < 2 or out_features % 2:
    raise ValueError(
        f"`out_features` must be even (queries/keys have out_features channels "
        f"and the position encoding splits them into rows and columns), got "
        f"{out_features}.")
  return out_features


def projection(in_features, out_features, use_bias, dtype, param_dtype, rngs):
  """A 1x1 convolution, i.e. `x @ W` on the channel axis."""
  return nnx.Linear(in_features, out_features, use_bias=use_bias, dtype=dtype,
                    param_dtype=param_dtype, rngs=rngs)


def position_params(kernel_size, out_features, param_dtype, rngs):
  """`pos_y`, `pos_x`: `[K, out_features // 2]` each, K * out_features in all."""
  shape = (kernel_size, out_features // 2)
  return (nnx.Param(POSITION_INIT(rngs.params(), shape, param_dtype)),
          nnx.Param(POSITION_INIT(rngs.params(), shape, param_dtype)))


def check_features(x, in_features: int, name: str = "x"):
  if x.ndim < 3 or x.shape[-1] != in_features:
    raise ValueError(
        f"`{name}` must be [..., H, W, {in_features}] (NHWC with "
        f"in_features={in_features} channels), got shape {x.shape}.")


def cast(x, dtype):
  return x if dtype is None else jnp.asarray(x, dtype)


def qkv_params(query: nnx.Linear, key: nnx.Linear, value: nnx.Linear):
  """The three projections side by side: kernel `[Cin, 3*Cout]`, bias `[3*Cout]`
  (or None)."""
  kernel = jnp.concatenate([query.kernel[...], key.kernel[...], value.kernel[...]], -1)
  bias = (None if query.bias is None else
          jnp.concatenate([query.bias[...], key.bias[...], value.bias[...]]))
  return kernel, bias


def project_qkv(x, kernel, bias, dtype):
  """q, k, v = x @ Wq, x @ Wk, x @ Wv as one matmul with the kernels of
  `qkv_params` (one pass over x instead of three), in `dtype` (None: x's)."""
  dtype = dtype or x.dtype
  qkv = jnp.einsum("...c,cd->...d", x.astype(dtype), kernel.astype(dtype))
  if bias is not None:
    qkv = qkv + bias.astype(dtype).reshape((1,) * (qkv.ndim - 1) + (-1,))
  return jnp.split(qkv, 3, axis=-1)
