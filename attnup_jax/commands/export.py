"""Export a model as serialized StableHLO (jax.export) with symbolic shapes.

    attnup export --model sr_x2_attention --checkpoint runs/sr_x2/ckpt --out sr_x2.bin
    attnup export --model depth_x8_sa_m1_f16 --random-init --out d.bin --check

Writes `OUT` (the serialized bytes; load with `attnup_jax.export.load_exported`)
and `OUT.json` (input specs, platforms, model name). With `--check`, runs the
artefact at two batch and image sizes and compares it with the model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def _parser() -> argparse.ArgumentParser:
  p = argparse.ArgumentParser(
      prog="attnup export", description=__doc__.splitlines()[0],
      formatter_class=argparse.RawDescriptionHelpFormatter,
      epilog="\n".join(__doc__.splitlines()[1:]))
  p.add_argument("--model", required=True,
                 help="sr_x{2,4,8}_{attention,deconv} or depth_x{M}_<zoo name>, "
                      "e.g. depth_x4_sa_m1_f8")
  src = p.add_mutually_exclusive_group(required=True)
  src.add_argument("--checkpoint", help="orbax checkpoint directory "
                   "(CheckpointManager dir, step dir or item dir)")
  src.add_argument("--random-init", action="store_true",
                   help="random parameters (smoke tests)")
  p.add_argument("--step", type=int, default=None,
                 help="checkpoint step (default: the latest)")
  p.add_argument("--out", required=True, help="output .bin path")
  p.add_argument("--model-kwargs", default="{}",
                 help='JSON constructor overrides, e.g. \'{"features": 64}\'')
  p.add_argument("--shapes", nargs="+", default=None,
                 help='input specs, e.g. "b, h, w, 1" (default from the model)')
  p.add_argument("--platforms", default=None,
                 help="comma-separated lowering platforms, e.g. cpu,cuda")
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--check", action="store_true",
                 help="compare the artefact with the model at two sizes")
  return p


def _check(model, fn, shapes, seed: int) -> float:
  """Max |artefact - model| over two concrete bindings of the symbols."""
  import jax.numpy as jnp
  from jax import export as jax_export
  rng = np.random.default_rng(seed)
  worst = 0.0
  for b, h, w in ((1, 12, 16), (2, 9, 7)):
    env = {"b": b, "h": h, "w": w}
    args = []
    for spec in shapes:
      dims = jax_export.symbolic_shape(spec)
      shape = tuple(d if isinstance(d, int) else int(eval(str(d), {"__builtins__": {}}, env))
                    for d in dims)
      args.append(jnp.asarray(rng.random(shape, np.float32)))
    got, want = np.asarray(fn(*args)), np.asarray(model(*args))
    err = float(np.max(np.abs(got - want)))
    print(f"check {[a.shape for a in args]} -> {got.shape}: max |diff| = {err:.2e}")
    worst = max(worst, err)
  return worst


def main(argv=None) -> int:
  args = _parser().parse_args(argv)
  from flax import nnx

  from attnup_jax import export
  t0 = time.time()
  kwargs = json.loads(args.model_kwargs)
  model = export.build_model(args.model, rngs=nnx.Rngs(args.seed), **kwargs)
  if args.checkpoint:
    export.load_params(model, args.checkpoint, args.step)
    print(f"loaded parameters from {args.checkpoint}")
  model.eval()
  shapes = args.shapes or export.default_shapes(args.model)
  platforms = args.platforms.split(",") if args.platforms else None
  exported = export.export_model(
      model, shapes, args.out, platforms=platforms,
      metadata={"model": args.model, "model_kwargs": kwargs,
                "checkpoint": args.checkpoint, "step": args.step,
                "random_init": bool(args.random_init)})
  print(f"wrote {args.out}: inputs {list(shapes)} -> "
        f"{[str(a) for a in exported.out_avals]} on {list(exported.platforms)} "
        f"({time.time() - t0:.1f} s)")
  if args.check:
    import jax
    if jax.default_backend() not in exported.platforms:
      print(f"--check skipped: artefact is for {exported.platforms}, this machine "
            f"runs {jax.default_backend()}.")
      return 0
    err = _check(model, export.load_exported(args.out), shapes, args.seed)
    if err > 1e-4:
      print(f"attnup export: artefact differs from the model by {err:.2e}",
            file=sys.stderr)
      return 1
  return 0


if __name__ == "__main__":
  sys.exit(main())
