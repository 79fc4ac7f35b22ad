"""Record every bundled model's outputs on fixed inputs (the regression fixture).

    python scripts/record_bundled_outputs.py [tests/fixtures/bundled_outputs.npz]

Models already in an existing fixture keep their recorded entries (they are
the reference the tests hold later code to); only bundles missing from it are
recorded, each with inputs from its own generator
(`default_rng([SEED, crc32(name)])`) and `NAME/commit`. The first recording
(no fixture yet) drew every model's inputs from one `default_rng(SEED)` in
name order.

For each bundled model `NAME` (`attnup_jax/weights/NAME`), two input sizes,
drawn by `numpy.random.default_rng(SEED)` and shaped like real data:
  - SR: LR Y `[1, 12, 16, 1]` and `[2, 9, 7, 1]`, 8-bit levels / 255
    (`NAME/in{i}` uint8; the model sees `in / 255`).
  - depth: LR depth `[1, 6, 8, 1]` and `[2, 5, 3, 1]` in millimetres,
    500-4000 with ~5% holes (0), as RGB-D-D (`NAME/depth{i}` uint16; the model
    sees `mm / 4000`), and an RGB guide `[B, M*h, M*w, 3]` (`NAME/guide{i}`
    uint8; the model sees `guide / 255`).
`NAME/out{i}` float32 is the model's output, `NAME/eval` (JSON) the bundle's
`eval_at_checkpoint`, `commit` the git commit the script ran at.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import zlib

import numpy as np

SEED = 20261202
SR_SIZES = ((1, 12, 16), (2, 9, 7))
DEPTH_SIZES = ((1, 6, 8), (2, 5, 3))
DEPTH_SCALE_MM = 4000.0


def inputs(kind: str, factor: int, rng) -> list[dict[str, np.ndarray]]:
  """The stored (integer) inputs of one model, one dict per size."""
  out = []
  if kind == "sr":
    for b, h, w in SR_SIZES:
      out.append({"in": rng.integers(0, 256, (b, h, w, 1), dtype=np.uint8)})
    return out
  for b, h, w in DEPTH_SIZES:
    depth = rng.integers(500, 4001, (b, h, w, 1)).astype(np.uint16)
    depth[rng.random(depth.shape) < 0.05] = 0
    guide = rng.integers(0, 256, (b, factor * h, factor * w, 3), dtype=np.uint8)
    out.append({"depth": depth, "guide": guide})
  return out


def model_args(stored: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
  """The float32 arguments the model is called with."""
  if "in" in stored:
    return (stored["in"].astype(np.float32) / np.float32(255),)
  return (stored["depth"].astype(np.float32) / np.float32(DEPTH_SCALE_MM),
          stored["guide"].astype(np.float32) / np.float32(255))


def main(argv=None) -> int:
  argv = sys.argv[1:] if argv is None else argv
  import jax
  from flax import nnx

  from attnup_jax import pretrained
  out_path = pathlib.Path(argv[0] if argv else "tests/fixtures/bundled_outputs.npz")
  root = pathlib.Path(__file__).resolve().parents[1]
  commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, text=True,
                          capture_output=True, check=True).stdout.strip()
  arrays = {}
  if out_path.exists():
    with np.load(out_path) as f:
      arrays = {k: f[k] for k in f.files}
  kept = set(arrays["names"].tolist()) if arrays else set()
  missing = [n for n in pretrained.available() if n not in kept]
  if not missing:
    print(f"{out_path} already records every bundle; nothing written")
    return 0
  if not arrays:
    arrays = {"commit": np.array(commit)}
  arrays["names"] = np.array(sorted(kept | set(missing)))
  shared = np.random.default_rng(SEED)
  for name in missing:
    rng = shared if not kept else np.random.default_rng([SEED, zlib.crc32(name.encode())])
    config = pretrained.config_of(name)
    model = pretrained.load(name)
    factor = getattr(model, "factor", None)        # depth models; SR: model.scale
    kind = "sr" if factor is None else "depth"
    graphdef, state = nnx.split(model)
    fn = jax.jit(lambda s, *a, g=graphdef: nnx.merge(g, s)(*a))
    for i, stored in enumerate(inputs(kind, factor, rng)):
      y = np.asarray(fn(state, *model_args(stored)), np.float32)
      for k, v in stored.items():
        arrays[f"{name}/{k}{i}"] = v
      arrays[f"{name}/out{i}"] = y
      print(f"{name} size {i}: {[a.shape for a in model_args(stored)]} -> "
            f"{y.shape}, mean |y| {np.abs(y).mean():.4f}")
    arrays[f"{name}/eval"] = np.array(json.dumps(config["eval_at_checkpoint"]))
    if kept:
      arrays[f"{name}/commit"] = np.array(commit)
  out_path.parent.mkdir(parents=True, exist_ok=True)
  tmp = out_path.with_name(out_path.name + ".tmp.npz")   # never a half-written fixture
  np.savez_compressed(tmp, **arrays)
  tmp.replace(out_path)
  print(f"wrote {out_path} ({out_path.stat().st_size / 1024:.0f} KiB) at {commit}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
