"""Parameter counting shared by every model family."""

import jax
from flax import nnx


def count_params(model: nnx.Module) -> int:
  """Number of trainable scalars (every `nnx.Param` leaf)."""
  return sum(p.size for p in jax.tree.leaves(nnx.state(model, nnx.Param)))
