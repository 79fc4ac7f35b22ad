"""Export a model as serialized StableHLO (jax.export) with symbolic shapes.

    attnup export --model depth_x8_sa_m1_f32 --out d.bin --check   # bundled weights
    attnup export --workdir runs/sr_x2 --out sr_x2.bin [--step N]  # a run's best (or step N)
    attnup export --spec spec.json --random-init --out r.bin       # untrained, any spec

Writes `OUT` (the serialized bytes; load with `attnup_jax.export.load_exported`)
and `OUT.json` (input specs, platforms, source, model spec). With `--check`,
runs the artefact at two batch and image sizes and compares it with the model
loaded again, independently, from the same source.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy as np


def _parser() -> argparse.ArgumentParser:
  p = argparse.ArgumentParser(
      prog="attnup export", description=__doc__.splitlines()[0],
      formatter_class=argparse.RawDescriptionHelpFormatter,
      epilog="\n".join(__doc__.splitlines()[1:]))
  src = p.add_mutually_exclusive_group(required=True)
  src.add_argument("--model", help="bundled name (e.g. sr_x2_attention) or a "
                   "weights directory (params.npz + config.json)")
  src.add_argument("--workdir", help="a `python -m train` work directory")
  src.add_argument("--spec", help="a model spec (JSON file or text); needs "
                   "--random-init")
  p.add_argument("--step", type=int, default=None,
                 help="--workdir: this checkpoint step (default: the best)")
  p.add_argument("--random-init", action="store_true",
                 help="the source's architecture with random parameters (smoke tests)")
  p.add_argument("--out", required=True, help="output .bin path")
  p.add_argument("--shapes", nargs="+", default=None,
                 help='input specs, e.g. "b, h, w, 1" (default from the model)')
  p.add_argument("--platforms", default=None,
                 help="comma-separated lowering platforms, e.g. cpu,cuda")
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--check", action="store_true",
                 help="compare the artefact with the source's model at two sizes")
  return p


def _spec_arg(text: str):
  from attnup_jax.models import ModelSpec
  path = pathlib.Path(text)
  return ModelSpec.from_json(path.read_text() if path.is_file() else text)


def _loader(args):
  """`() -> model`: loads the model from its source (called twice by --check)."""
  from flax import nnx

  from attnup_jax.inference import load_model
  from attnup_jax.models import build
  from attnup_jax.runs import run_spec
  if args.spec and not args.random_init:
    raise ValueError("--spec gives an architecture only: add --random-init.")
  if args.step is not None and not args.workdir:
    raise ValueError("--step goes with --workdir.")
  if args.random_init:
    spec = (_spec_arg(args.spec) if args.spec else run_spec(args.workdir)
            if args.workdir else load_model(args.model).spec)
    return lambda: build(spec, nnx.Rngs(args.seed))
  source = args.workdir or args.model
  return lambda: load_model(source, args.step)


def _check(model, fn, shapes, seed: int) -> float:
  """Max |artefact - model| over two concrete bindings of the symbols."""
  import jax.numpy as jnp
  from jax import export as jax_export

  from attnup_jax.evaluation.predict import as_predict
  predict = as_predict(model)      # jitted: one compile per size, not per op
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
    got, want = np.asarray(fn(*args)), np.asarray(predict(*args))
    err = float(np.max(np.abs(got - want)))
    print(f"check {[a.shape for a in args]} -> {got.shape}: max |diff| = {err:.2e}")
    worst = max(worst, err)
  return worst


def main(argv=None) -> int:
  args = _parser().parse_args(argv)
  from attnup_jax import export
  t0 = time.time()
  try:
    load = _loader(args)
    model = load()
  except (ValueError, FileNotFoundError) as e:
    print(f"attnup export: {e}", file=sys.stderr)
    return 2
  source = args.model or args.workdir or "spec"
  print(f"{source}: {model.spec.family} {json.dumps(model.spec.to_dict()['kwargs'])}"
        + (" (random init)" if args.random_init else ""))
  model.eval()
  shapes = args.shapes or export.default_shapes(model)
  platforms = args.platforms.split(",") if args.platforms else None
  exported = export.export_model(
      model, shapes, args.out, platforms=platforms,
      metadata={"source": source, "step": getattr(model, "train_step", args.step),
                "spec": model.spec.to_dict(), "random_init": bool(args.random_init)})
  print(f"wrote {args.out}: inputs {list(shapes)} -> "
        f"{[str(a) for a in exported.out_avals]} on {list(exported.platforms)} "
        f"({time.time() - t0:.1f} s)")
  if args.check:
    import jax
    if jax.default_backend() not in exported.platforms:
      print(f"--check skipped: artefact is for {exported.platforms}, this machine "
            f"runs {jax.default_backend()}.")
      return 0
    err = _check(load(), export.load_exported(args.out), shapes, args.seed)
    if err > 1e-4:
      print(f"attnup export: artefact differs from the model by {err:.2e}",
            file=sys.stderr)
      return 1
  return 0


if __name__ == "__main__":
  sys.exit(main())
