"""Argument checks shared by the ops: every bad input becomes a `ValueError`
that names the argument, the shapes and the fix, raised at trace time (shapes
and static arguments are known then), never a NaN from inside XLA."""

from __future__ import annotations

import operator


def check_stride(stride, name: str = "stride") -> int:
  """Returns `stride` as a positive Python int or raises ValueError."""
  try:
    s = operator.index(stride)
  except TypeError:
    raise ValueError(
        f"`{name}` must be a positive integer, got {stride!r} of type "
        f"{type(stride).__name__}.") from None
  if s < 1:
    raise ValueError(f"`{name}` must be a positive integer, got {s}.")
  return s


def check_kernel_size(kernel_size, stride: int | None = None,
                      name: str = "kernel_size") -> int:
  """Returns the odd window size K; with `stride`, also enforces K >= 2S-1.

  K >= 2S-1 is what makes every window of the upsampled grid, the last row and
  column included, hold at least one valid low-resolution position (SPEC 1).
  """
  try:
    k = operator.index(kernel_size)
  except TypeError:
    raise ValueError(
        f"`{name}` must be a positive odd integer, got {kernel_size!r}."
    ) from None
  if k < 1 or k % 2 == 0:
    raise ValueError(
        f"`{name}` must be a positive odd integer (the window is centred on "
        f"each output pixel), got {k}. Use {k + 1 if k > 0 else 1}.")
  if stride is not None and k < 2 * stride - 1:
    raise ValueError(
        f"`{name}`={k} is too small for stride={stride}: windows would hold "
        f"no valid position. Attention upsampling needs kernel_size >= "
        f"2*stride - 1 = {2 * stride - 1}.")
  return k


def check_rank(x, min_rank: int, name: str, layout: str) -> None:
  if getattr(x, "ndim", None) is None or x.ndim < min_rank:
    shape = getattr(x, "shape", None)
    raise ValueError(
        f"`{name}` must have shape {layout} (batch dimensions may lead), got "
        f"shape {shape}.")


def as_pair(value, name: str) -> int:
  """`3` or `(3, 3)` -> 3; unequal pairs raise (only square windows/strides)."""
  if isinstance(value, (tuple, list)):
    if len(value) != 2 or value[0] != value[1]:
      raise ValueError(
          f"`{name}` must be an int or a pair of equal ints, got {value!r}: "
          f"attention upsampling uses square windows and strides.")
    value = value[0]
  return value


def check_power_of_two(value, name: str = "factor", why: str = "") -> int:
  """Returns `value` as an int; ValueError unless it is a power of two >= 2."""
  try:
    m = operator.index(value)
  except TypeError:
    raise ValueError(f"`{name}` must be an integer power of two (2, 4, 8, 16), "
                     f"got {value!r}.") from None
  if m < 2 or m & (m - 1):
    raise ValueError(f"`{name}` must be a power of two >= 2 (2, 4, 8, 16){why}. "
                     f"Got {name}={m}.")
  return m


def check_chunk(chunk, name: str = "batch_chunk"):
  """None (no chunks) or a positive int."""
  if chunk is None:
    return None
  if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
    raise ValueError(
        f"`{name}` must be None (the whole batch at once) or a positive int "
        f"(images per chunk), got {chunk!r}.")
  return chunk


CHUNK_LAYOUTS = ("contiguous", "strided")


def check_chunk_layout(layout, name: str = "layout") -> str:
  """One of CHUNK_LAYOUTS (`ops.remat_chunks`)."""
  if layout not in CHUNK_LAYOUTS:
    raise ValueError(
        f"`{name}` must be one of {CHUNK_LAYOUTS} (\"strided\" for a batch "
        f"sharded over devices), got {layout!r}.")
  return layout


STRIP_UPDATES = ("add", "write")


def check_strip_update(update, name: str = "strip_update"):
  """None (by dtype) or one of STRIP_UPDATES (`ops.remat_rows`)."""
  if update is not None and update not in STRIP_UPDATES:
    raise ValueError(
        f"`{name}` must be None (\"add\" for 32-bit outputs, \"write\" for "
        f"narrower ones), \"add\" (least memory and time on CPU in float32) or "
        f"\"write\" (least memory on TPU), got {update!r}.")
  return update
