"""Models by name, for the CLI: `sr_x2_attention`, `depth_x8_sa_m1_f16`, ...

    sr_x{2,4,8}_{attention,deconv}   SuperResolutionNet(scale, upsampler)
    depth_x{M}_{zoo name}            models.depth_zoo.build_depth_model(name, M)

and the matching symbolic input shapes for `export_model`.
"""

from __future__ import annotations

import re

from flax import nnx

_SR = re.compile(r"sr_x(\d+)_(attention|deconv)")
_DEPTH = re.compile(r"depth_x(\d+)_(\w+)")


def build_model(name: str, *, rngs: nnx.Rngs, **kwargs) -> nnx.Module:
  """A freshly initialised model; `kwargs` go to its constructor (e.g.
  `features=16`).

  Example:
    >>> build_model("sr_x2_deconv", features=8, rngs=nnx.Rngs(0)).scale
    2
  """
  if m := _SR.fullmatch(name):
    from attnup_jax.models.sr import SuperResolutionNet
    return SuperResolutionNet(int(m[1]), m[2], rngs=rngs, **kwargs)
  if m := _DEPTH.fullmatch(name):
    from attnup_jax.models.depth_zoo import build_depth_model
    return build_depth_model(m[2], int(m[1]), rngs=rngs, **kwargs)
  raise ValueError(
      f"unknown model {name!r}: use sr_x{{2,4,8}}_{{attention,deconv}} or "
      f"depth_x{{4,8,16}}_<name> with a name of attnup_jax.models.depth_zoo "
      f"(e.g. depth_x4_sa_m1_f8).")


def default_shapes(name: str) -> list[str]:
  """Symbolic input specs: `["b, h, w, 1"]` for SR (LR luminance), and
  `["b, h, w, 1", "b, M*h, M*w, 3"]` for depth (LR depth, HR RGB guide)."""
  if _SR.fullmatch(name):
    return ["b, h, w, 1"]
  if m := _DEPTH.fullmatch(name):
    factor = int(m[1])
    return ["b, h, w, 1", f"b, {factor}*h, {factor}*w, 3"]
  raise ValueError(f"unknown model {name!r}.")
