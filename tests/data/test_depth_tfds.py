"""TensorFlow-free TFDS builders: build a small subset, read back with tfds.data_source."""

import json
import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

from attnup_jax.data.depth import lu, nyu, pipeline, rgbdd, tfds_builders

try:  # pytest's default "prepend" import mode puts this folder on sys.path
  from test_depth_readers import write_nyu_mat
except ImportError:  # tests/data as a package
  from .test_depth_readers import write_nyu_mat


def as_dict(source):
  return {(r["id"].decode() if isinstance(r["id"], bytes) else r["id"]): r
          for r in (source[i] for i in range(len(source)))}


def test_nyu_builder(tmp_path):
  manual = tmp_path / "manual"
  manual.mkdir()
  write_nyu_mat(manual / nyu.NYU_FILENAME)
  b = tfds_builders.build_depth_tfds("nyu_v2", tmp_path / "tfds", manual,
                                     max_examples_per_split=3)
  src = b.as_data_source()
  got = as_dict(src["test"])
  assert sorted(got) == ["1000", "1001", "1002"]
  ref = nyu.NYULabeled("test", manual / nyu.NYU_FILENAME)
  for i in range(3):
    r = ref[i]
    np.testing.assert_array_equal(got[r["id"]]["rgb"], r["rgb"])
    np.testing.assert_array_equal(got[r["id"]]["depth"], r["depth"])
    assert got[r["id"]]["depth"].dtype == np.float32
  assert len(src["train"]) == 3
  info = json.loads((tmp_path / "tfds" / "attnup_nyu_depth_v2" / "1.0.0" /
                     "dataset_info.json").read_text())
  assert nyu.NYU_URL in json.dumps(info)
  assert "tensorflow" not in sys.modules


def test_rgbdd_builder_and_pipeline(tmp_path):
  tfds_builders.build_depth_tfds("rgbdd", tmp_path, max_examples_per_split=2)
  src = tfds.data_source("attnup_rgbdd", data_dir=tmp_path, split="test")
  got = as_dict(src)
  ids = rgbdd.rgbdd_ids("test")[:2]
  assert sorted(got) == ids
  ref = rgbdd.RGBDD("test")[0]
  np.testing.assert_array_equal(got[ids[0]]["depth"], ref["depth"])
  np.testing.assert_array_equal(got[ids[0]]["rgb"], ref["rgb"])
  assert got[ids[0]]["depth"].dtype == np.uint16
  # The training pipeline reads the same ArrayRecords.
  ds = pipeline.depth_train_dataset("rgbdd", 8, crop=64, batch_size=2,
                                    tfds_dir=tmp_path, num_threads=0)
  b = next(iter(ds))
  assert b["depth_lr"].shape == (2, 8, 8, 1) and b["guide"].shape == (2, 64, 64, 3)
  assert "tensorflow" not in sys.modules


def test_lu_builder(tmp_path):
  b = tfds_builders.build_depth_tfds("lu", tmp_path, max_examples_per_split=2)
  assert set(b.info.splits) == {"test"}
  got = as_dict(b.as_data_source(split="test"))
  pairs = lu.lu_pairs()[:2]
  assert sorted(got) == [k for k, _, _ in pairs]
  r = lu.LuDepthEnh()[1]
  np.testing.assert_array_equal(got[r["id"]]["depth"], r["depth"])
  with pytest.raises(ValueError, match="no TFDS builder"):
    tfds_builders.build_depth_tfds("nyu_samples", tmp_path)
