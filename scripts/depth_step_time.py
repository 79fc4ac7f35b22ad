"""Where a depth training step's time goes on this machine: one Adam step
(forward + backward + update) of each model on a batch of crops, and the
forward + backward time of its parts, jitted, median of `--reps` runs.

    python scripts/depth_step_time.py --factor 8 --crop 128 --batch 16
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax.models._count import count_params  # noqa: E402
from attnup_jax.models.presets import build_depth_model  # noqa: E402


def timed(fn, *args, reps: int = 5) -> float:
  """Median seconds of `fn(*args)` after one compile-and-run call."""
  jax.block_until_ready(fn(*args))
  ts = []
  for _ in range(reps):
    t0 = time.perf_counter()
    jax.block_until_ready(fn(*args))
    ts.append(time.perf_counter() - t0)
  return float(np.median(ts))


def grad_time(f, params, *args, reps):
  """Forward + backward seconds of `sum(f(params, *args))` w.r.t. params."""
  g = jax.jit(jax.grad(lambda p, *a: jnp.sum(f(p, *a).astype(jnp.float32))))
  return timed(g, params, *args, reps=reps)


def parts(net, d, g, reps):
  """{part: forward+backward seconds} for the bilateral-attention model's
  CNN_C and head (LR grid), and for the Table I models' branches (CNN_T,
  CNN_G, CNN_F)."""
  out = {}
  if hasattr(net, "cnn_c"):
    x = jnp.zeros(d.shape[:-1] + (net.cnn_c.convs[0].in_features,))
    for name, mod in (("CNN_C (LR)", net.cnn_c), ("head (LR)", net.head)):
      md, ms = nnx.split(mod)
      out[name] = grad_time(lambda s, x, md=md: nnx.merge(md, s)(x), ms, x,
                            reps=reps)
      x = mod(x)
  else:
    lr_t = type(net).__name__ == "JointAttentionUpsampler"   # CNN_T on the LR grid
    for name in ("cnn_t", "cnn_g", "cnn_f"):
      mod = getattr(net, name)
      grid = d.shape[:-1] if name == "cnn_t" and lr_t else g.shape[:-1]
      x = jnp.zeros(grid + (mod.convs[0].in_features,))
      md, ms = nnx.split(mod)
      out[name.upper()] = grad_time(lambda s, x, md=md: nnx.merge(md, s)(x), ms,
                                    x, reps=reps)
  return out


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--models", default="bilateral_attention,djf,sa_m1_f8,sa_m1_f32")
  p.add_argument("--factor", type=int, default=8)
  p.add_argument("--crop", type=int, default=128)
  p.add_argument("--batch", type=int, default=16)
  p.add_argument("--reps", type=int, default=5)
  a = p.parse_args(argv)
  rng = np.random.default_rng(0)
  m, c, b = a.factor, a.crop, a.batch
  d = jnp.asarray(rng.uniform(0.2, 0.5, (b, c // m, c // m, 1)), jnp.float32)
  g = jnp.asarray(rng.uniform(0, 1, (b, c, c, 3)), jnp.float32)
  hr = jnp.asarray(rng.uniform(0.2, 0.5, (b, c, c, 1)), jnp.float32)
  print(f"x{m}, batch {b} of {c}x{c} crops, {jax.device_count()} device(s), "
        f"median of {a.reps}")
  for name in a.models.split(","):
    kw = {} if name == "bilateral_attention" else {"residual": True}
    net = build_depth_model(name, m, rngs=nnx.Rngs(0), **kw)
    opt = nnx.Optimizer(net, optax.adam(1e-4), wrt=nnx.Param)

    @nnx.jit
    def step(net, opt, d, g, hr):
      loss, grads = nnx.value_and_grad(
          lambda n: jnp.mean((n(d, g) - hr) ** 2))(net)
      opt.update(net, grads)
      return loss

    t = timed(step, net, opt, d, g, hr, reps=a.reps)
    fwd = timed(nnx.jit(lambda n, d, g: n(d, g)), net, d, g, reps=a.reps)
    line = (f"{name:20s} {count_params(net):8,d} params  step {t:6.3f} s  "
            f"forward {fwd:6.3f} s")
    pt = parts(net, d, g, a.reps)
    print(line + "  |  " + ", ".join(f"{k} {v:.3f} s" for k, v in pt.items()),
          flush=True)
  return 0


if __name__ == "__main__":
  sys.exit(main())
