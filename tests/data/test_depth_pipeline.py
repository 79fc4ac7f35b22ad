"""grain training pipeline and evaluation pairs on the real RGB-D-D / Lu data."""

import itertools

import numpy as np
import pytest

from attnup_jax.data.depth import datasets, pipeline, rgbdd

M, P, B = 8, 64, 2


def make(seed=0, **kw):
  kw = {"crop": P, "batch_size": B, "seed": seed, "max_images": 4,
        "num_threads": 0, **kw}
  return pipeline.depth_train_dataset("rgbdd", M, **kw)


@pytest.fixture(scope="module")
def full_depths():
  src = rgbdd.RGBDD("train")
  return [datasets.normalize(src[i]["depth"], "rgbdd") for i in range(4)]


def locate(crop, fulls, m):
  """(image, y, x) of `crop` [P, P] among the images at offsets divisible by m."""
  p = crop.shape[0]
  for k, full in enumerate(fulls):
    h, w = full.shape
    for y in range(0, h - p + 1, m):
      for x in range(0, w - p + 1, m):
        if full[y, x] == crop[0, 0] and np.array_equal(full[y:y + p, x:x + p], crop):
          return k, y, x
  return None


def test_shapes_dtypes_and_grid(full_depths):
  b = next(iter(make()))
  assert set(b) == {"guide", "depth_lr", "depth_hr", "valid"}
  assert b["guide"].shape == (B, P, P, 3) and b["guide"].dtype == np.float32
  assert b["depth_lr"].shape == (B, P // M, P // M, 1)
  assert b["depth_hr"].shape == (B, P, P, 1) and b["depth_hr"].dtype == np.float32
  assert b["valid"].shape == (B, P, P, 1) and b["valid"].dtype == bool
  assert 0.0 <= b["guide"].min() and b["guide"].max() <= 1.0
  assert 0.1 < b["depth_hr"].max() < 1.0          # mm / 4000
  np.testing.assert_array_equal(b["depth_lr"], b["depth_hr"][:, ::M, ::M])
  np.testing.assert_array_equal(b["valid"], b["depth_hr"] > 0)
  for i in range(B):                               # crops at offsets divisible by M
    assert locate(b["depth_hr"][i, :, :, 0], full_depths, M) is not None


def test_bicubic_degradation_shape():
  b = next(iter(make(degradation="bicubic")))
  assert b["depth_lr"].shape == (B, P // M, P // M, 1)
  assert not np.array_equal(b["depth_lr"], b["depth_hr"][:, ::M, ::M])


def test_determinism_with_seed():
  a = list(itertools.islice(iter(make(seed=3)), 3))
  b = list(itertools.islice(iter(make(seed=3)), 3))
  c = next(iter(make(seed=4)))
  for x, y in zip(a, b):
    for k in x:
      np.testing.assert_array_equal(x[k], y[k])
  assert not np.array_equal(a[0]["depth_hr"], c["depth_hr"])


def test_iterator_state_resume():
  ds = make(seed=1, num_threads=2)
  it = iter(ds)
  next(it)
  state = it.get_state()
  expected = [next(it) for _ in range(3)]          # crosses an epoch (2 batches/epoch)
  it2 = iter(make(seed=1, num_threads=2))
  it2.set_state(state)
  for e in expected:
    got = next(it2)
    for k in e:
      np.testing.assert_array_equal(got[k], e[k])


def test_shards_are_disjoint(full_depths):
  seen = []
  for shard in range(2):
    ds = make(batch_size=1, num_epochs=1, shard_index=shard, shard_count=2)
    batches = list(ds)
    assert len(batches) == 2
    seen.append({locate(b["depth_hr"][0, :, :, 0], full_depths, M)[0]
                 for b in batches})
  assert seen == [{0, 2}, {1, 3}]


def test_bad_arguments():
  with pytest.raises(ValueError, match="factor"):
    pipeline.depth_train_dataset("rgbdd", 6)
  with pytest.raises(ValueError, match="crop"):
    pipeline.depth_train_dataset("rgbdd", 16, crop=200)
  with pytest.raises(ValueError, match="splits"):
    pipeline.depth_train_dataset("lu", 4)


def test_eval_pairs_lu():
  ex = next(pipeline.depth_eval_pairs("lu", 16))
  assert ex["id"] == "Middlebury_01"               # 370 x 427 -> mod-crop 368 x 416
  assert ex["guide"].shape == (368, 416, 3)
  assert ex["depth_hr"].shape == (368, 416, 1) and ex["valid"].shape == (368, 416, 1)
  assert ex["depth_lr"].shape == (23, 26, 1)
  assert (ex["units"], ex["scale"], ex["metric_units"]) == ("level", 255.0, "level")
  np.testing.assert_allclose(ex["depth_lr"] * ex["scale"],
                             ex["depth_hr"][::16, ::16], rtol=1e-6)
  assert ex["depth_hr"].max() > 1.0                # original units, not normalised
  np.testing.assert_array_equal(ex["valid"], ex["depth_hr"] > 0)


def test_eval_pairs_rgbdd_units():
  ex = next(pipeline.depth_eval_pairs("rgbdd", 4))
  assert ex["id"] == rgbdd.rgbdd_ids("test")[0]
  assert ex["depth_hr"].shape == (384, 512, 1) and ex["depth_lr"].shape == (96, 128, 1)
  assert (ex["units"], ex["metric_units"], ex["metric_scale"]) == ("mm", "cm", 0.1)


def _dihedral(x):
  """The 8 flips/rotations of a square [P, P, ...] array."""
  return [np.rot90(x, k)[:, ::-1] if f else np.rot90(x, k)
          for k in range(4) for f in (0, 1)]


def test_augment_transforms_the_pair_together():
  """Each augmented crop is a flip/rotation of a crop of an image, depth
  scaled by one factor in [0.7, 1.4] (holes stay 0), the guide a colour
  variant in [0, 1]; the grid and mask hold after it; seeds reproduce."""
  full = [datasets.normalize(rgbdd.RGBDD("train")[i]["depth"], "rgbdd")
          for i in range(4)]
  plain, aug = next(iter(make(seed=5))), next(iter(make(seed=5, augment=True)))
  np.testing.assert_array_equal(
      next(iter(make(seed=5, augment=True)))["guide"], aug["guide"])
  assert not np.array_equal(plain["guide"], aug["guide"])
  for i in range(B):
    hr = aug["depth_hr"][i, :, :, 0]
    np.testing.assert_array_equal(aug["depth_lr"][i], aug["depth_hr"][i, ::M, ::M])
    np.testing.assert_array_equal(aug["valid"][i, ..., 0], hr > 0)
    assert 0.0 <= aug["guide"][i].min() and aug["guide"][i].max() <= 1.0
    src = plain["depth_hr"][i, :, :, 0]        # same image and offset as plain
    hits = [v for v in _dihedral(src) if np.array_equal(v > 0, hr > 0)]
    ratios = [np.median(hr[v > 0] / v[v > 0]) for v in hits
              if np.allclose(hr, v * np.median(hr[v > 0] / v[v > 0]), rtol=1e-5,
                             atol=1e-6)]
    assert ratios and 0.7 <= ratios[0] <= 1.4, i
  assert locate(plain["depth_hr"][0, :, :, 0], full, M) is not None


def test_augment_needs_a_square_crop():
  from attnup_jax.data.depth import transforms
  r = {"rgb": np.zeros((8, 16, 3), np.uint8), "depth": np.zeros((8, 16), np.uint16)}
  with pytest.raises(ValueError, match="square"):
    transforms.random_augment(r, np.random.default_rng(0))
