"""SR training patches and the grain pipeline: shapes, alignment, determinism,
checkpointable iterator state, per-process sharding; evaluation pairs."""

import numpy as np
import pytest
from PIL import Image

from attnup_jax.data.sr import color, patches, pipeline, protocol


@pytest.fixture
def data_root(tmp_path, rng):
  """A tiny data root `<tmp>/sr/T91` with three RGB images and one greyscale."""
  folder = tmp_path / "sr" / "T91"
  folder.mkdir(parents=True)
  for i, (h, w) in enumerate([(40, 52), (37, 45), (48, 48)]):
    # smooth-ish content so resizing is not a no-op on noise only
    yy, xx = np.mgrid[:h, :w]
    img = 127 + 100 * np.sin(xx / (3 + i))[..., None] * np.cos(yy / 5)[..., None]
    img = img + rng.normal(0, 5, (h, w, 3))
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(folder / f"t{i}.png")
  Image.fromarray(rng.integers(0, 256, (36, 30), dtype=np.uint8)).save(folder / "z.png")
  return tmp_path


def test_patches_align_with_eval_protocol(data_root):
  lr, hr = pipeline.train_patches("t91", 2, 6, 4, data_dir=data_root, augment=False,
                                  max_images=1)
  assert lr.dtype == hr.dtype == np.uint8
  assert lr.shape[1:] == (6, 6, 1) and hr.shape[1:] == (12, 12, 1)
  pair = pipeline.sr_eval_pairs("T91", 2, data_dir=data_root, max_images=1)[0]
  assert pair["hr"].shape == (40, 52, 3) and pair["lr"].shape == (20, 26, 3)
  lr_y, hr_y = pair["lr_y"][..., 0] * 255, pair["hr_y"][..., 0] * 255
  # windows on a 4-pixel LR grid: (20 - 6) // 4 + 1 = 4 rows, (26 - 6) // 4 + 1 = 6 cols
  assert len(lr) == 4 * 6
  np.testing.assert_allclose(lr[7, ..., 0], lr_y[4:10, 4:10], atol=1e-4)   # row 1, col 1
  np.testing.assert_allclose(hr[7, ..., 0], hr_y[8:20, 8:20], atol=1e-4)


def test_augmentation_counts_and_rotations(data_root):
  _, images = pipeline.load_hr_images("T91", data_root)
  assert [im.shape[-1] for im in images] == [3, 3, 3, 1]
  one = images[2]  # 48x48: every variant is square
  lr, hr = patches.build_patches([one], 2, 8, 100, augment=True)
  # one patch (stride 100) per variant: 5 factors x 4 rotations
  assert lr.shape == (20, 8, 8, 1) and hr.shape == (20, 16, 16, 1)
  # variant k (factor 1.0, rotation k) is the top-left corner of the rotated image
  hr_c = protocol.modcrop(one, 2)
  y = color.evaluation_channel(hr_c)
  for k in range(4):
    np.testing.assert_array_equal(hr[k, ..., 0], np.rot90(y, k)[:16, :16])
  # LR synthesis commutes with rot90 (symmetric kernel and mirror boundary)
  lr_rot = color.evaluation_channel(
      protocol.downscale_uint8(np.rot90(hr_c, 1).copy(), 2))
  assert np.abs(lr_rot[:8, :8].astype(int) - lr[1, ..., 0]).max() <= 1


def test_dataset_batches_and_determinism(data_root):
  kw = dict(data_dir=data_root, shard_index=0, shard_count=1)
  ds = pipeline.sr_train_dataset("T91", 2, 6, 4, 5, seed=3, **kw)
  batch = ds[0]
  assert batch["lr"].shape == (5, 6, 6, 1) and batch["hr"].shape == (5, 12, 12, 1)
  assert batch["lr"].dtype == batch["hr"].dtype == np.float32
  assert 0.0 <= batch["hr"].min() and batch["hr"].max() <= 1.0
  same = pipeline.sr_train_dataset("T91", 2, 6, 4, 5, seed=3, **kw)[0]
  other = pipeline.sr_train_dataset("T91", 2, 6, 4, 5, seed=4, **kw)[0]
  np.testing.assert_array_equal(batch["hr"], same["hr"])
  assert not np.array_equal(batch["hr"], other["hr"])


def test_iterator_state_resume(data_root):
  ds = pipeline.sr_train_dataset("T91", 2, 6, 4, 4, seed=0, data_dir=data_root,
                                 shard_index=0, shard_count=1)
  it = iter(ds)
  next(it)
  state = it.get_state()
  expected = [next(it) for _ in range(3)]
  fresh = iter(ds)
  fresh.set_state(state)
  for want in expected:
    got = next(fresh)
    np.testing.assert_array_equal(got["lr"], want["lr"])
    np.testing.assert_array_equal(got["hr"], want["hr"])


def test_shards_are_disjoint_and_cover_an_epoch(data_root):
  lr, _ = pipeline.train_patches("T91", 2, 6, 4, data_dir=data_root)
  n = len(lr)
  key = lambda a: a.tobytes()
  seen = []
  for i in range(2):
    ds = pipeline.sr_train_dataset("T91", 2, 6, 4, 1, seed=7, data_dir=data_root,
                                   shard_index=i, shard_count=2)
    seen.append([key((b["lr"] * 255).round().astype(np.uint8)[0]) for b in
                 (ds[j] for j in range(len(range(i, n, 2))))])
  everything = sorted(key(p) for p in lr)
  assert sorted(seen[0] + seen[1]) == everything
  # second epoch is reshuffled
  ds0 = pipeline.sr_train_dataset("T91", 2, 6, 4, 1, seed=7, data_dir=data_root,
                                  shard_index=0, shard_count=1)
  first = [key((ds0[j]["lr"] * 255).round().astype(np.uint8)) for j in range(n)]
  second = [key((ds0[n + j]["lr"] * 255).round().astype(np.uint8)) for j in range(n)]
  assert sorted(first) == sorted(second) and first != second


def test_greyscale_eval_pair_uses_grey_values(data_root):
  pair = pipeline.sr_eval_pairs("T91", 3, data_dir=data_root)[-1]
  assert pair["name"] == "z" and pair["hr"].shape == (36, 30, 1)
  np.testing.assert_allclose(pair["hr_y"][..., 0] * 255, pair["hr"][..., 0], atol=1e-4)
  assert pair["lr_y"].shape == (12, 10, 1)


def test_bad_arguments(data_root):
  with pytest.raises(ValueError, match="unknown SR dataset"):
    pipeline.image_dir("Urban100", data_root)
  with pytest.raises(ValueError, match="batch"):
    pipeline.sr_train_dataset("T91", 2, 6, 4, 10**6, seed=0, data_dir=data_root,
                              shard_index=0, shard_count=1)


@pytest.mark.parametrize("shard_index,shard_count,batch", [(0, 1, 4), (1, 3, 5)])
def test_batches_equal_the_per_example_shuffle_shard_batch_definition(
    data_root, shard_index, shard_count, batch):
  """Batch b = examples [b*B, (b+1)*B) of source[shard_index::shard_count],
  where example g of the source is patch perm_{g // n}[g % n]."""
  lr, hr = pipeline.train_patches("T91", 2, 6, 4, data_dir=data_root)
  n = len(lr)
  ds = pipeline.sr_train_dataset("T91", 2, 6, 4, batch, seed=5, data_dir=data_root,
                                 shard_index=shard_index, shard_count=shard_count)
  perm = lambda e: np.random.default_rng([5, e]).permutation(n)
  per_shard = range(shard_index, 3 * n, shard_count)      # three epochs
  for b in range(len(per_shard) // batch):
    js = [perm(g // n)[g % n] for g in per_shard[b * batch:(b + 1) * batch]]
    np.testing.assert_array_equal(ds[b]["hr"], hr[js].astype(np.float32) / 255)
    np.testing.assert_array_equal(ds[b]["lr"], lr[js].astype(np.float32) / 255)
