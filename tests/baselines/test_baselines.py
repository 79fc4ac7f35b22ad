"""JBU and the guided filter against plain-loop NumPy versions, under jit and
vmap, with holes, and their input checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax.baselines import (GF_PARAMS, JBU_PARAMS, guided_filter_upsample,
                                  jbu_upsample)
from attnup_jax.baselines.guided_filter import (box_sum, trusted_pixels,
                                                weighted_guided_filter)
from attnup_jax.metrics.depth import bicubic_upsample_depth
from numpy_baselines import guided_filter_loop, jbu_loop


def _pair(rng, h, w, m, holes=True):
  d = rng.uniform(0.2, 1.0, (h, w)).astype(np.float32)
  if holes:
    d[rng.uniform(size=(h, w)) < 0.2] = 0.0
  g = rng.uniform(0, 1, (m * h, m * w, 3)).astype(np.float32)
  return d, g


@pytest.mark.parametrize("m", [2, 4])
@pytest.mark.parametrize("sigmas", [(0.5, 0.1), (1.0, 0.4)])
def test_jbu_matches_loop(rng, m, sigmas):
  d, g = _pair(rng, 3, 5, m)
  got = jbu_upsample(jnp.asarray(d[None, ..., None]), jnp.asarray(g[None]), m,
                     *sigmas)
  want = jbu_loop(d, g, m, *sigmas)
  np.testing.assert_allclose(np.asarray(got)[0, ..., 0], want, atol=1e-5)


def test_jbu_excludes_holes_and_falls_back_to_the_mean(rng):
  d = np.zeros((6, 6), np.float32)
  d[0, 0] = 0.5                                   # one valid sample
  g = rng.uniform(0, 1, (24, 24, 3)).astype(np.float32)
  out = np.asarray(jbu_upsample(jnp.asarray(d[None, ..., None]),
                                jnp.asarray(g[None]), 4))[0, ..., 0]
  np.testing.assert_allclose(out, 0.5, rtol=1e-6)  # in-window: copy; else mean


def test_jbu_is_vmappable_and_batched(rng):
  pairs = [_pair(rng, 4, 4, 4) for _ in range(3)]
  d = jnp.asarray(np.stack([p[0] for p in pairs])[..., None])
  g = jnp.asarray(np.stack([p[1] for p in pairs]))
  batched = jbu_upsample(d, g, 4)
  mapped = jax.vmap(lambda a, b: jbu_upsample(a, b, 4))(d, g)
  np.testing.assert_allclose(batched, mapped, atol=1e-6)
  one = jbu_upsample(d[1], g[1], 4)               # no batch dim
  np.testing.assert_allclose(batched[1], one, atol=1e-6)


def test_box_sum_matches_loop(rng):
  x = rng.normal(size=(2, 7, 9, 2)).astype(np.float32)
  got = np.asarray(box_sum(jnp.asarray(x), 2))
  want = np.zeros_like(x)
  for i in range(7):
    for j in range(9):
      want[:, i, j] = x[:, max(0, i - 2):i + 3, max(0, j - 2):j + 3].sum((1, 2))
  np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("radius,eps", [(1, 1e-3), (3, 1e-2)])
def test_weighted_guided_filter_matches_loop(rng, radius, eps):
  p = rng.uniform(0, 1, (10, 12, 1)).astype(np.float32)
  g = rng.uniform(0, 1, (10, 12, 3)).astype(np.float32)
  w = (rng.uniform(size=(10, 12, 1)) < 0.7).astype(np.float32)
  got, covered = weighted_guided_filter(jnp.asarray(p), jnp.asarray(g),
                                        jnp.asarray(w), radius, eps)
  assert bool(covered.all())
  want = guided_filter_loop(p[..., 0], g, w[..., 0], radius, eps, 0.0)
  np.testing.assert_allclose(np.asarray(got)[..., 0], want, atol=2e-4)


def test_guided_filter_upsample_matches_loop_with_holes(rng):
  d, g = _pair(rng, 4, 5, 4)
  got = guided_filter_upsample(jnp.asarray(d[None, ..., None]),
                               jnp.asarray(g[None]), 4, radius=3, eps=1e-2)
  p = np.asarray(bicubic_upsample_depth(jnp.asarray(d[..., None]), 4, "grid"))
  w = np.asarray(trusted_pixels(jnp.asarray(d[..., None]), 4))
  # trusted = no hole among the 4 x 4 in-image LR neighbours, by hand:
  hand = np.zeros((16, 20), bool)
  for y in range(16):
    for x in range(20):
      win = d[max(0, y // 4 - 1):y // 4 + 3, max(0, x // 4 - 1):x // 4 + 3]
      hand[y, x] = (win > 0).all()
  np.testing.assert_array_equal(w[..., 0], hand)
  want = guided_filter_loop(p[..., 0], g, w[..., 0], 3, 1e-2, d[d > 0].mean())
  np.testing.assert_allclose(np.asarray(got)[0, ..., 0], want, atol=2e-4)


def test_guided_filter_keeps_a_constant_map(rng):
  d = np.full((1, 4, 4, 1), 0.7, np.float32)
  g = rng.uniform(0, 1, (1, 16, 16, 3)).astype(np.float32)
  out = guided_filter_upsample(jnp.asarray(d), jnp.asarray(g), 4, radius=2)
  np.testing.assert_allclose(out, 0.7, atol=1e-5)


@pytest.mark.parametrize("fn", [jbu_upsample, guided_filter_upsample])
def test_bad_inputs_raise(fn):
  d, g = jnp.ones((1, 4, 4, 1)), jnp.ones((1, 16, 16, 3))
  with pytest.raises(ValueError, match="factor"):
    fn(d, g, 3)
  with pytest.raises(ValueError, match="guide"):
    fn(d, g[:, :12], 4)
  with pytest.raises(ValueError, match="depth_lr"):
    fn(jnp.ones((1, 4, 4, 2)), g, 4)


def test_params_are_written_for_every_factor():
  assert set(JBU_PARAMS) == set(GF_PARAMS) == {4, 8, 16}
