"""grain pipelines for super-resolution: training patches and evaluation pairs.

Training (`sr_train_dataset`): the augmented patch arrays of `patches.py` are
built once per process (cached in memory, uint8), then a grain
`MapDataset.source` of whole shuffled batches of this process's shard
(`_ShuffledBatches`: the same batches as `shuffle -> [process_index::
process_count] -> batch(drop_remainder)`, one NumPy gather per batch) ->
`map(to float32)`. Every epoch is reshuffled, the shards of one epoch are disjoint,
and `iter(ds)` is a `grain.DatasetIterator` with `get_state()` / `set_state()`
for checkpointing.

Evaluation (`sr_eval_pairs`): the SPEC Sec. 3 protocol on full images.
"""

from __future__ import annotations

import functools
import os
import pathlib

import grain
import numpy as np

from attnup_jax.data import paths
from attnup_jax.data.sr import color, io, patches, protocol

SR_FOLDERS = ("T91", "BSDS200", "General100", "Set5", "Set14", "BSDS100")


def image_dir(name: str, data_dir: str | os.PathLike | None = None) -> pathlib.Path:
  """Folder of an SR set by (case-insensitive) name, e.g. `'t91'` -> `<root>/sr/T91`."""
  folder = {f.lower(): f for f in SR_FOLDERS}.get(name.lower())
  if folder is None:
    raise ValueError(f"unknown SR dataset {name!r}; choose from {SR_FOLDERS}.")
  return paths.dataset_dir("sr", folder, data_dir=data_dir)


def _load_folder(folder: str | os.PathLike, max_images: int | None
                 ) -> tuple[list[str], list[np.ndarray]]:
  files = io.list_images(folder)[:max_images]
  return [f.stem for f in files], [io.load_image_uint8(f) for f in files]


def load_hr_images(name: str, data_dir=None, max_images: int | None = None
                   ) -> tuple[list[str], list[np.ndarray]]:
  """(names, uint8 images `[H, W, 3]` or `[H, W, 1]` for greyscale), sorted by name."""
  return _load_folder(image_dir(name, data_dir), max_images)


@functools.lru_cache(maxsize=4)
def _cached_patches(folder: str, scale: int, patch_size: int, stride: int,
                    augment: bool, max_images: int | None):
  _, images = _load_folder(folder, max_images)
  lr, hr = patches.build_patches(images, scale, patch_size, stride, augment)
  lr.flags.writeable = False
  hr.flags.writeable = False
  return lr, hr


def train_patches(name: str, scale: int, patch_size: int, stride: int,
                  data_dir=None, augment: bool = True, max_images: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
  """Cached uint8 patch arrays `lr [N, p, p, 1]`, `hr [N, s*p, s*p, 1]` (read-only)."""
  folder = str(image_dir(name, data_dir))
  return _cached_patches(folder, protocol.check_scale(scale), int(patch_size),
                         int(stride), bool(augment), max_images)


class _ShuffledBatches:
  """Random-access source of whole batches `{'lr': uint8 [B, p, p, 1], 'hr':
  uint8 [B, sp, sp, 1]}` of one process's shard, over `epochs` passes.

  Batch b of shard (i, count) holds the patches at global positions
  `(b*B + j) * count + i`, j < B, where global position g reads patch
  `perm_e[g % n]` of epoch `e = g // n` and `perm_e` is a NumPy permutation
  seeded by (seed, e). This is exactly `source[i::count].batch(B,
  drop_remainder=True)` over a per-example shuffled source, computed with one
  fancy index per batch: deterministic, reshuffled every epoch, shards of an
  epoch disjoint, and ~1000x cheaper per example than grain's per-index
  Feistel shuffle plus `batch` (both bottlenecked small training steps on CPU).
  """

  def __init__(self, lr: np.ndarray, hr: np.ndarray, seed: int, batch_size: int,
               shard_index: int, shard_count: int, epochs: int = 10_000):
    self._lr, self._hr, self._seed = lr, hr, seed
    self._b, self._i, self._count = batch_size, shard_index, shard_count
    self._len = len(range(shard_index, len(lr) * epochs, shard_count)) // batch_size

  def __len__(self) -> int:
    return self._len

  @functools.lru_cache(maxsize=4)
  def _perm(self, epoch: int) -> np.ndarray:
    return np.random.default_rng([self._seed, epoch]).permutation(len(self._lr))

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    if not 0 <= index < self._len:
      raise IndexError(f"batch {index} out of range [0, {self._len}).")
    g = (index * self._b + np.arange(self._b)) * self._count + self._i   # [B]
    epoch, pos = np.divmod(g, len(self._lr))
    j = np.empty_like(pos)
    for e in np.unique(epoch):        # a batch spans at most a few epochs
      j[epoch == e] = self._perm(int(e))[pos[epoch == e]]
    return {"lr": self._lr[j], "hr": self._hr[j]}


def _to_float(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
  return {k: v.astype(np.float32) / np.float32(255.0) for k, v in batch.items()}


def sr_train_dataset(name: str, scale: int, patch_size: int, stride: int,
                     batch_size: int, seed: int, data_dir=None, augment: bool = True,
                     max_images: int | None = None, shard_index: int | None = None,
                     shard_count: int | None = None) -> grain.MapDataset:
  """Infinite, shuffled, batched training pairs on Y (grey for greyscale).

  Args:
    name: training set (`'T91'`, `'BSDS200'`, `'General100'`, ...).
    scale: SR factor s.
    patch_size: LR patch side p; HR patches are s*p.
    stride: LR stride between patches (HR stride s*stride).
    batch_size: per-process batch size (incomplete last batches dropped).
    seed: shuffle seed; each epoch is reshuffled deterministically from it.
    data_dir: data root (default `$ATTNUP_DATA_DIR` or `../shared/data`).
    augment: the paper's 5 scales x 4 rotations.
    max_images: use only the first images (sorted by name), for quick runs.
    shard_index, shard_count: this process's shard; default
      `jax.process_index()`, `jax.process_count()`.

  Returns:
    A `grain.MapDataset` of `{'lr': float32 [B, p, p, 1], 'hr': float32
    [B, s*p, s*p, 1]}` in [0, 1]; `iter()` it for a checkpointable iterator.
  """
  if shard_index is None or shard_count is None:
    import jax  # only for the process topology
    shard_index, shard_count = jax.process_index(), jax.process_count()
  if not 0 <= shard_index < shard_count:
    raise ValueError(f"need 0 <= shard_index < shard_count, got {shard_index}, {shard_count}.")
  lr, hr = train_patches(name, scale, patch_size, stride, data_dir, augment, max_images)
  if len(lr) < shard_count * batch_size:
    raise ValueError(f"{len(lr)} patches cannot fill a batch of {batch_size} on each "
                     f"of {shard_count} processes; lower batch_size or stride.")
  source = _ShuffledBatches(lr, hr, seed, batch_size, shard_index, shard_count)
  return grain.MapDataset.source(source).map(_to_float)


def sr_eval_pairs(name: str, scale: int, data_dir=None,
                  max_images: int | None = None) -> list[dict]:
  """Full-image evaluation pairs under the SPEC Sec. 3 protocol.

  Returns, per image (sorted by name), a dict with:
    `name`: str;
    `hr`: uint8 `[H, W, C]`, mod-cropped to `scale` (C = 3, or 1 for greyscale);
    `lr`: uint8 `[H/s, W/s, C]`, MATLAB bicubic downscaling, 8-bit;
    `hr_y`, `lr_y`: float32 `[H, W, 1]`, `[H/s, W/s, 1]` in [0, 1]: the 8-bit Y
      (grey values for a greyscale image) divided by 255 — the model's target
      and input.
  """
  s = protocol.check_scale(scale)
  names, images = load_hr_images(name, data_dir, max_images)
  pairs = []
  for n, img in zip(names, images):
    hr = protocol.modcrop(img, s)
    lr = protocol.downscale_uint8(hr, s)
    pairs.append({
        "name": n, "hr": hr, "lr": lr,
        "hr_y": (color.evaluation_channel(hr)[..., None] / 255.0).astype(np.float32),
        "lr_y": (color.evaluation_channel(lr)[..., None] / 255.0).astype(np.float32),
    })
  return pairs
