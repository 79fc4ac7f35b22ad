"""`export_model` / `load_exported`: serialized StableHLO via `jax.export`.

The artefact is self-contained: the parameters are constants of the module,
so it runs without Flax, the model's code or a checkpoint, from any JAX of a
compatible version (`jax.export` serialization is versioned and backward
compatible for at least six months). Shapes are symbolic (`"b, h, w, 1"`), so
one artefact serves every batch and image size; inputs that share a name must
agree at call time (`"b, 4*h, 4*w, 3"` ties a depth model's guide to its LR
depth), which the loaded function checks.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
from flax import nnx
from jax import export as jax_export


def _spec_string(spec) -> str:
  """`"b, h, w, 1"` or `("b", "h", "w", 1)` -> `"b, h, w, 1"`."""
  if isinstance(spec, str):
    return spec
  return ", ".join(str(d) for d in spec)


def default_shapes(model: nnx.Module) -> list[str]:
  """Symbolic input specs: `["b, h, w, 1"]` for SR (LR luminance), and
  `["b, h, w, 1", "b, M*h, M*w, 3"]` for a depth model of factor M (LR
  depth, HR RGB guide)."""
  factor = getattr(model, "factor", None)
  if factor is None:
    return ["b, h, w, 1"]
  return ["b, h, w, 1", f"b, {factor}*h, {factor}*w, 3"]


def symbolic_inputs(shapes: Sequence, dtype=jnp.float32,
                    constraints: Sequence[str] = ()) -> list[jax.ShapeDtypeStruct]:
  """One `ShapeDtypeStruct` per shape spec, all in one symbolic scope (so a
  name used twice is the same dimension)."""
  scope = jax_export.SymbolicScope(tuple(constraints))
  dtypes = dtype if isinstance(dtype, (list, tuple)) else [dtype] * len(shapes)
  if len(dtypes) != len(shapes):
    raise ValueError(f"got {len(dtypes)} dtypes for {len(shapes)} inputs.")
  return [jax.ShapeDtypeStruct(
              jax_export.symbolic_shape(_spec_string(s), scope=scope), dt)
          for s, dt in zip(shapes, dtypes)]


def export_model(model: nnx.Module, shapes: Sequence, path=None, *,
                 dtype=jnp.float32, constraints: Sequence[str] = (),
                 platforms: Sequence[str] | None = None,
                 metadata: dict | None = None) -> jax_export.Exported:
  """Exports `model(*inputs)` (inference, parameters baked in) as StableHLO.

  Args:
    model: an NNX module called as `model(x)` or `model(x, guide)`.
    shapes: one spec per positional input; a spec is a string of dimension
      names and integers, `"b, h, w, 1"`, or a tuple like `("b", 16, 16, 1)`.
      Names are symbolic (any size >= 1) and shared between inputs, e.g.
      `["b, h, w, 1", "b, 4*h, 4*w, 3"]` for a x4 depth model.
    path: write the serialized bytes there (and `<path>.json` with the input
      specs, platforms and `metadata`); None writes nothing.
    dtype: input dtype, or one per input.
    constraints: `jax.export` symbolic constraints, e.g. `("h >= 4",)`.
    platforms: lowering platforms, e.g. `("cpu", "cuda")` for one artefact
      that runs on both; default the current backend.
    metadata: extra JSON-serialisable facts for the sidecar (model name, ...).

  Returns:
    The `jax.export.Exported` (`.call(*inputs)` runs it).

  Example:
    >>> net = SuperResolutionNet(2, features=8, rngs=nnx.Rngs(0))
    >>> exp = export_model(net, ["b, h, w, 1"])
    >>> exp.out_avals
    (ShapedArray(float32[b,2*h,2*w,1]),)
  """
  if not shapes:
    raise ValueError("`shapes` must name at least one input, e.g. ['b, h, w, 1'].")
  graphdef, state = nnx.split(model)

  def forward(*inputs):
    return nnx.merge(graphdef, state)(*inputs)

  args = symbolic_inputs(shapes, dtype, constraints)
  exported = jax_export.export(
      jax.jit(forward),
      platforms=tuple(platforms) if platforms else None)(*args)
  if path is not None:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(exported.serialize())
    info = {"inputs": [_spec_string(s) for s in shapes],
            "in_avals": [str(a) for a in exported.in_avals],
            "out_avals": [str(a) for a in exported.out_avals],
            "platforms": list(exported.platforms),
            "jax_version": jax.__version__, **(metadata or {})}
    pathlib.Path(f"{path}.json").write_text(json.dumps(info, indent=2) + "\n")
  return exported


def read_exported(path: str | os.PathLike) -> jax_export.Exported:
  """The `jax.export.Exported` serialized in `path`."""
  data = pathlib.Path(path).read_bytes()
  try:
    return jax_export.deserialize(bytearray(data))
  except Exception as e:  # flatbuffers raise assorted errors on bad bytes
    raise ValueError(f"{path} is not a serialized jax.export artefact: {e}") from e


def load_exported(path: str | os.PathLike) -> Callable:
  """A function running the artefact in `path`: `fn(*inputs) -> output`.

  It can be jitted and is checked against the exported input specs (a shape
  that breaks them, e.g. a guide not M times the depth, raises). The
  `Exported` itself is `fn.exported`.

  Example:
    >>> upscale = load_exported("sr_x2.bin")    # doctest: +SKIP
    >>> upscale(jnp.zeros((1, 10, 12, 1))).shape  # doctest: +SKIP
    (1, 20, 24, 1)
  """
  exported = read_exported(path)

  def call(*inputs):
    return exported.call(*inputs)

  call.exported = exported
  return call
