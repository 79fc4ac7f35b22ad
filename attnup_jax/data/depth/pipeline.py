"""grain pipelines: random training crops and full-image evaluation pairs.

Training batches (B = batch size, M = factor, P = crop):

    guide     [B, P, P, 3]      float32 RGB in [0, 1]
    depth_lr  [B, P/M, P/M, 1]  float32 normalised (`datasets` table), depth_hr[::M, ::M]
    depth_hr  [B, P, P, 1]      float32 normalised
    valid     [B, P, P, 1]      bool, depth_hr > 0 (holes excluded from the loss)

Records come from the raw files (default) or, with `tfds_dir`, from the
ArrayRecords built by `tfds_builders.build_depth_tfds` read with
`tfds.data_source` (TensorFlow-free); the two give the same examples.
"""

from __future__ import annotations

import os
from typing import Iterator

import grain
import jax
import numpy as np

from attnup_jax.data.depth import degrade, transforms
from attnup_jax.data.depth.datasets import get_dataset


class _TfdsRecords:
  """A TFDS ArrayRecord split as records with a str 'id' (TFDS returns bytes)."""

  def __init__(self, tfds_name: str, split: str, tfds_dir):
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    self._src = tfds.data_source(tfds_name, split=split,
                                 data_dir=os.fspath(tfds_dir))

  def __len__(self) -> int:
    return len(self._src)

  def __getitem__(self, i: int) -> dict:
    r = dict(self._src[i])
    if isinstance(r["id"], bytes):
      r["id"] = r["id"].decode()
    return r


def depth_source(name: str, split: str, data_dir=None, tfds_dir=None):
  """Random-access records {'id', 'rgb' [H, W, 3] uint8, 'depth' [H, W]}."""
  ds = get_dataset(name, split)
  if tfds_dir is None:
    return ds.source(split, data_dir)
  if ds.tfds_name is None:
    raise ValueError(f"dataset {name!r} has no TFDS builder; use tfds_dir=None.")
  return _TfdsRecords(ds.tfds_name, split, tfds_dir)


def depth_train_dataset(name: str, factor: int, crop: int = 256,
                        batch_size: int = 10, seed: int = 0, data_dir=None,
                        degradation: str = "grid", max_images: int | None = None,
                        num_epochs: int | None = None, tfds_dir=None,
                        shard_index: int | None = None,
                        shard_count: int | None = None,
                        num_threads: int = 2,
                        augment: bool = False) -> grain.IterDataset:
  """Shuffled, repeated, batched random crops of a training split.

  Args:
    name: 'rgbdd' or 'nyu_v2' (datasets with a 'train' split).
    factor: M, a power of two (4, 8, 16).
    crop: HR crop side P, divisible by M; offsets are multiples of M.
    batch_size: B per process (remainder batches dropped).
    seed: shuffles (reshuffled every epoch) and crop offsets derive from it:
      the same seed gives the same batches.
    data_dir: attnup data root (default `$ATTNUP_DATA_DIR`, ../shared/data).
    degradation: 'grid' (paper: `hr[::M, ::M]`) or 'bicubic'.
    max_images: use only the first N images of the split (quick runs).
    num_epochs: None repeats forever.
    tfds_dir: read prepared TFDS ArrayRecords from here instead of raw files.
    shard_index, shard_count: this process's shard of the images (default
      `jax.process_index()` of `jax.process_count()`).
    num_threads: reader threads (0 reads in the calling thread).
    augment: `transforms.random_augment` each crop (flips, rotations, colour,
      depth scale); off in the paper's configs.

  Returns:
    A `grain.IterDataset`; `iter(ds)` is a `grain.DatasetIterator` whose
    `get_state()` / `set_state()` resume exactly.
  """
  m = degrade.check_factor(factor)
  if crop % m:
    raise ValueError(f"crop={crop} must be divisible by factor={m}.")
  degrade.degrade_depth(np.zeros((m, m), np.float32), m, degradation)  # name ok?
  dataset = get_dataset(name, "train")
  ds = grain.MapDataset.source(depth_source(name, "train", data_dir, tfds_dir))
  if max_images is not None:
    ds = ds[:max_images]
  shard_index = jax.process_index() if shard_index is None else shard_index
  shard_count = jax.process_count() if shard_count is None else shard_count
  ds = ds[shard_index::shard_count]
  if len(ds) == 0:
    raise ValueError(f"shard {shard_index} of {shard_count} has no images.")
  ds = ds.shuffle(seed=seed)
  ds = ds.random_map(lambda r, rng: transforms.random_crop(r, crop, m, rng),
                     seed=seed)
  if augment:
    ds = ds.random_map(transforms.random_augment, seed=seed + 1)
  ds = ds.map(lambda r: transforms.to_example(r, dataset, m, degradation))
  ds = ds.repeat(num_epochs).batch(batch_size, drop_remainder=True)
  return ds.to_iter_dataset(grain.ReadOptions(num_threads=num_threads,
                                              prefetch_buffer_size=2 * batch_size))


def depth_eval_pairs(name: str, factor: int, split: str = "test",
                     data_dir=None, degradation: str = "grid",
                     tfds_dir=None) -> Iterator[dict]:
  """Full images of a split, HR mod-cropped to a multiple of M (top-left kept).

  Yields one dict per image (no batch axis; sizes vary between images):
    id: str.
    guide: `[H, W, 3]` float32 in [0, 1].
    depth_lr: `[H/M, W/M, 1]` float32 normalised (the network input).
    depth_hr: `[H, W, 1]` float32 ground truth in `units` (not normalised).
    valid: `[H, W, 1]` bool, depth_hr > 0.
    units: 'm', 'mm' or 'level'; scale: depth in units = normalised * scale.
    metric_units: 'cm' or 'level'; metric_scale: RMSE in units * metric_scale
      is the RMSE to report (m -> cm x100, mm -> cm x0.1, 8-bit x1).
  """
  m = degrade.check_factor(factor)
  dataset = get_dataset(name, split)
  source = depth_source(name, split, data_dir, tfds_dir)
  for i in range(len(source)):
    r = source[i]
    r = {**r, "rgb": degrade.mod_crop(r["rgb"], m),
         "depth": degrade.mod_crop(r["depth"], m)}
    ex = transforms.to_example(r, dataset, m, degradation)
    yield {"id": r["id"], "guide": ex["guide"], "depth_lr": ex["depth_lr"],
           "depth_hr": np.asarray(r["depth"], np.float32)[..., None],
           "valid": ex["valid"], "units": dataset.units,
           "scale": dataset.scale, "metric_units": dataset.metric_units,
           "metric_scale": dataset.metric_scale}
