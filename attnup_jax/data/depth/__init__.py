"""Depth-guided upsampling data (paper Sec. IV-A): readers, degradation,
normalisation, TFDS builders and grain pipelines.

Datasets by name ('nyu_v2', 'nyu_samples', 'rgbdd', 'lu') with their units and
scales are listed in `datasets`. Typical use:

    ds = depth_train_dataset('rgbdd', factor=8, seed=0)
    batch = next(iter(ds))          # guide, depth_lr, depth_hr, valid
    for ex in depth_eval_pairs('rgbdd', 8): ...
"""

from attnup_jax.data.depth.datasets import (DATASETS, DepthDataset, denormalize,
                                            get_dataset, normalize)
from attnup_jax.data.depth.degrade import (check_factor, degrade_depth, lr_by_bicubic,
                                           lr_by_grid, mod_crop)
from attnup_jax.data.depth.lu import LuDepthEnh
from attnup_jax.data.depth.nyu import NYU_URL, NYULabeled, NYUSamples
from attnup_jax.data.depth.pipeline import (depth_eval_pairs, depth_source,
                                            depth_train_dataset)
from attnup_jax.data.depth.rgbdd import RGBDD
from attnup_jax.data.depth.transforms import rgb_to_float, valid_mask

__all__ = [
    "DATASETS", "DepthDataset", "LuDepthEnh", "NYULabeled", "NYUSamples",
    "NYU_URL", "RGBDD", "check_factor", "degrade_depth", "denormalize",
    "depth_eval_pairs", "depth_source", "depth_train_dataset", "get_dataset",
    "lr_by_bicubic", "lr_by_grid", "mod_crop", "normalize", "rgb_to_float",
    "valid_mask",
]
