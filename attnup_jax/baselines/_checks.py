"""Input checks of the classical baselines (clear ValueErrors, at trace time)."""

from __future__ import annotations

from attnup_jax.ops._checks import check_power_of_two


def check_pair(depth_lr, guide, factor) -> int:
  """M as an int; ValueError unless depth_lr is `[..., h, w, 1]` and guide
  `[..., M*h, M*w, C]` with the same leading dims."""
  m = check_power_of_two(factor, "factor")
  if depth_lr.ndim < 3 or depth_lr.shape[-1] != 1:
    raise ValueError(f"`depth_lr` must be [..., h, w, 1], got {depth_lr.shape}.")
  h, w = depth_lr.shape[-3:-1]
  if (guide.ndim != depth_lr.ndim or guide.shape[:-3] != depth_lr.shape[:-3]
      or guide.shape[-3:-1] != (m * h, m * w)):
    raise ValueError(
        f"`guide` must be [..., {m * h}, {m * w}, C] for depth_lr.shape="
        f"{depth_lr.shape} and factor={m}, got guide.shape={guide.shape}. "
        f"Crop the HR pair to a multiple of the factor and take hr[::M, ::M].")
  return m
