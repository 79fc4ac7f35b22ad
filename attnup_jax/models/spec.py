"""The model spec: one serialisable record per model, and the one function
that builds a model from it.

    spec = ModelSpec.create("SuperResolutionNet", scale=2, global_skip=True)
    spec.to_json()    # {"family": "SuperResolutionNet", "kwargs": {every argument}}
    model = build(spec, nnx.Rngs(0))          # model.spec == spec

`family` names a class of `FAMILIES`; `kwargs` holds every argument of its
constructor but `rngs`, the defaults filled in (so a spec keeps building the
same model when a default changes), checked against the constructor's
signature (an unknown name is a ValueError). A new constructor option needs
no change here: it is in every spec from then on, and specs written before
it get its default. Sequences are stored as tuples (JSON lists on disk) and
the computation dtype as a string of `DTYPES`. Named presets (Table I, the
train configs) are `attnup_jax.models.presets`.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from typing import Any

import jax.numpy as jnp
from flax import nnx

from attnup_jax.models.depth import JointAttentionUpsampler
from attnup_jax.models.djf import DeepJointFilter
from attnup_jax.models.sr import SuperResolutionNet

FAMILIES = {cls.__name__: cls for cls in (
    SuperResolutionNet, JointAttentionUpsampler, DeepJointFilter)}
# "float32" computes in the parameters' dtype (the constructors' dtype=None).
DTYPES = {"float32": None, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


def _frozen(value):
  """Lists (from JSON) -> tuples, recursively, so a spec is hashable."""
  if isinstance(value, (list, tuple)):
    return tuple(_frozen(v) for v in value)
  return value


def dtype_name(dtype) -> str:
  """None / 'float32' / jnp.bfloat16 / 'bfloat16' -> a key of `DTYPES`."""
  if dtype is None:
    return "float32"
  name = dtype if isinstance(dtype, str) else jnp.dtype(dtype).name
  if name not in DTYPES:
    raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}.")
  return name


def constructor_args(family: str) -> dict[str, inspect.Parameter]:
  """The arguments of `FAMILIES[family]` but `self` and `rngs`, in order."""
  if family not in FAMILIES:
    raise ValueError(f"unknown model family {family!r}; choose one of "
                     f"{sorted(FAMILIES)}.")
  params = inspect.signature(FAMILIES[family].__init__).parameters
  return {k: p for k, p in params.items() if k not in ("self", "rngs")}


@dataclasses.dataclass(frozen=True)
class ModelSpec:
  """A model family and every constructor argument; hashable, JSON round-trip.

  Make one with `ModelSpec.create(family, **kwargs)` (checks and completes the
  arguments) or `ModelSpec.from_dict(json.loads(...))`.
  """
  family: str
  args: tuple[tuple[str, Any], ...]

  @classmethod
  def create(cls, family: str, **kwargs) -> "ModelSpec":
    params = constructor_args(family)
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
      raise ValueError(f"unknown {family} arguments {unknown}; it takes "
                       f"{list(params)}.")
    missing = [k for k, p in params.items()
               if k not in kwargs and p.default is inspect.Parameter.empty]
    if missing:
      raise ValueError(f"{family} needs the arguments {missing}.")
    full = {k: _frozen(kwargs.get(k, p.default)) for k, p in params.items()}
    if "dtype" in full:
      full["dtype"] = dtype_name(full["dtype"])
    return cls(family, tuple(full.items()))

  @property
  def kwargs(self) -> dict[str, Any]:
    return dict(self.args)

  def replace(self, **kwargs) -> "ModelSpec":
    """The same spec with some constructor arguments changed."""
    return ModelSpec.create(self.family, **{**self.kwargs, **kwargs})

  def to_dict(self) -> dict:
    return {"family": self.family,
            "kwargs": json.loads(json.dumps(self.kwargs))}

  def to_json(self) -> str:
    return json.dumps(self.to_dict(), indent=2) + "\n"

  @classmethod
  def from_dict(cls, d: dict) -> "ModelSpec":
    if not isinstance(d, dict) or set(d) != {"family", "kwargs"}:
      raise ValueError(f"a model spec is {{'family': ..., 'kwargs': {{...}}}}, "
                       f"got {d!r}.")
    return cls.create(d["family"], **d["kwargs"])

  @classmethod
  def from_json(cls, text: str) -> "ModelSpec":
    return cls.from_dict(json.loads(text))

  def diff(self, other: "ModelSpec") -> list[str]:
    """What differs, e.g. `['kwargs.global_skip: True != False']`."""
    if self.family != other.family:
      return [f"family: {self.family} != {other.family}"]
    a, b = self.kwargs, other.kwargs
    return [f"kwargs.{k}: {a.get(k)!r} != {b.get(k)!r}"
            for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def build(spec: ModelSpec, rngs: nnx.Rngs | None = None) -> nnx.Module:
  """The model `spec` describes, freshly initialised; `model.spec` is `spec`."""
  if not isinstance(spec, ModelSpec):
    raise ValueError(f"build needs a ModelSpec, got {type(spec).__name__}; use "
                     f"ModelSpec.from_dict or attnup_jax.models.presets.")
  kwargs = spec.kwargs
  if "dtype" in kwargs:
    kwargs["dtype"] = DTYPES[kwargs["dtype"]]
  model = FAMILIES[spec.family](**kwargs, rngs=rngs or nnx.Rngs(0))
  model.spec = spec
  return model


def abstract_model(spec: ModelSpec) -> nnx.Module:
  """`build(spec)` with `jax.ShapeDtypeStruct` leaves: nothing allocated."""
  return nnx.eval_shape(lambda: build(spec))
