"""The examples in the public docstrings run and print what they say."""

import doctest
import importlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

MODULES = [
    "attnup_jax.ops._resample", "attnup_jax.ops._patches", "attnup_jax.ops._attention",
    "attnup_jax.nn._attention_upsample", "attnup_jax.nn._attention_conv",
    "attnup_jax.nn._guided", "attnup_jax.nn._conv_transpose", "attnup_jax.nn._linen",
    "attnup_jax.models.sr", "attnup_jax.models.presets", "attnup_jax.viz._compare",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
  module = importlib.import_module(name)
  with jax.numpy_dtype_promotion("standard"):
    result = doctest.testmod(module, extraglobs={"jnp": jnp, "np": np, "jax": jax,
                                                 "nnx": nnx},
                             optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
  assert result.failed == 0
  assert result.attempted > 0, f"{name} has no examples"
