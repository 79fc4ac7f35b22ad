"""Pixel losses in float32, optionally over a mask (training and evaluation)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def pixel_loss(pred: jax.Array, target: jax.Array, kind: str,
               mask: jax.Array | None = None) -> jax.Array:
  """Mean L2 ('l2') or L1 ('l1') error in float32, over `mask` if given."""
  err = pred.astype(jnp.float32) - target.astype(jnp.float32)
  if kind == "l2":
    err = err * err
  elif kind == "l1":
    err = jnp.abs(err)
  else:
    raise ValueError(f"loss must be 'l1' or 'l2', got {kind!r}.")
  if mask is None:
    return jnp.mean(err)
  m = mask.astype(jnp.float32)
  return jnp.sum(err * m) / jnp.maximum(jnp.sum(m), 1.0)
