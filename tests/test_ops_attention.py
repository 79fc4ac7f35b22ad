"""attention_upsample and attention_upsample_bilinear (SPEC Sec. 1): every impl
equals the literal reference and the plain-loop NumPy equation, values and
gradients (reverse and forward mode), with and without jit (chex variants)."""

import itertools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from absl.testing import parameterized

from attnup_jax import ops
from numpy_attention import attention_upsample_loops, bilinear_upsample_loops

# (S, K): every stride with its smallest valid window, K = 2S - 1, and K = 2S + 1;
# then windows whose T - 1 exceeds the blocks' 4 cells (T = 7 and 6 offsets).
GRID = [(1, 1), (1, 3), (2, 3), (2, 5), (3, 5), (3, 7), (4, 7), (4, 9), (1, 7), (2, 11)]
ARGS = "q k v pos_y pos_x".split()


def random_inputs(rng, s, k, batch=(), h=5, w=3, c=6, d=4, dtype=np.float32,
                  q_stride=None):
  """(q, k, v, pos_y, pos_x); q on the grid q_stride times finer (default S)."""
  n = lambda *shape: jnp.asarray(rng.normal(size=shape), dtype)
  qs = s if q_stride is None else q_stride
  return (n(*batch, qs * h, qs * w, c), n(*batch, h, w, c), n(*batch, h, w, d),
          n(k, c // 2), n(k, c // 2))


def op(bilinear):
  return ops.attention_upsample_bilinear if bilinear else ops.attention_upsample


def loops(args, s, k, bilinear, scale=None):
  """The NumPy oracle for one image; bilinear queries upsampled by a NumPy loop."""
  q, kk, v, py, px = [np.asarray(a, np.float64) for a in args]
  if bilinear:
    q = bilinear_upsample_loops(q, s)
  return attention_upsample_loops(q, kk, v, py, px, s, k, scale)


def value_and_grads(f, args, cot):
  """f(*args) and the gradients of sum(f * cot) w.r.t. all five args, one jit."""
  return jax.jit(lambda *a: (f(*a), jax.grad(lambda *b: jnp.sum(f(*b) * cot),
                                             argnums=range(5))(*a)))(*args)


# Batch 1 with the smallest window, 3 with the larger one: both sizes, every S.
# The default impl on the whole grid, the others on a part of it.
CASES = [(s, k, (1,) if k == 2 * s - 1 else (3,), ("fast",)) for s, k in GRID]
CASES[3] = CASES[3][:3] + (("fast", "shifted", "loop", "highres"),)   # S = 2, K = 5
CASES[4] = CASES[4][:3] + (("fast", "shifted", "loop", "highres"),)   # S = 3, K = 5


@pytest.mark.parametrize("s,k,batch,impls", CASES)
@pytest.mark.parametrize("bilinear", [False, True])
def test_impls_match_reference_values_and_gradients(rng, s, k, batch, impls, bilinear):
  args = random_inputs(rng, s, k, batch, h=4, w=3, c=6, d=5,   # non-square, Cv != C
                       q_stride=1 if bilinear else s)
  cot = jnp.asarray(rng.normal(size=batch + (s * 4, s * 3, 5)), jnp.float32)
  run = lambda impl: value_and_grads(
      lambda *a: op(bilinear)(*a, stride=s, kernel_size=k, impl=impl), args, cot)
  ref, g_ref = run("reference")
  chex.assert_shape(ref, batch + (s * 4, s * 3, 5))
  for impl in impls if bilinear else [i for i in impls if i != "highres"]:
    out, grads = run(impl)
    np.testing.assert_allclose(out, ref, atol=1e-5, rtol=0, err_msg=impl)
    for name, a, b in zip(ARGS, grads, g_ref):
      np.testing.assert_allclose(a, b, atol=1e-5, rtol=0, err_msg=f"{impl} {name}")
  for name, g in zip(ARGS, g_ref):
    if k > 1 or name == "v":   # K = 1: one position, softmax is constant 1
      assert float(jnp.abs(g).max()) > 0, f"gradient of {name} is identically 0"


class WithAndWithoutJitTest(chex.TestCase, parameterized.TestCase):
  """The ops called eagerly and inside `jax.jit` (chex variants), against the loop."""

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.product(sk=[(2, 5), (3, 5)], bilinear=[False, True])
  def test_matches_plain_loop(self, sk, bilinear):
    s, k = sk
    rng = np.random.default_rng(s + k)
    args = random_inputs(rng, s, k, h=3, w=4, c=4, d=3, q_stride=1 if bilinear else s)
    f = self.variant(lambda *a: op(bilinear)(*a, stride=s, kernel_size=k,
                                             return_weights=True))
    out, weights = f(*args)
    want_out, want_w = loops(args, s, k, bilinear)
    chex.assert_trees_all_close((out, weights), (want_out, want_w), atol=1e-5)


@pytest.mark.parametrize("s,k", GRID)
@pytest.mark.parametrize("bilinear", [False, True])
def test_fast_matches_plain_loop_equation(rng, s, k, bilinear):
  """Values and weights on every pixel, borders included, 1-pixel images too."""
  f = op(bilinear)
  for h, w in [(3, 4), (1, 2)]:
    args = random_inputs(rng, s, k, h=h, w=w, c=4, d=3, q_stride=1 if bilinear else s)
    out, weights = f(*args, stride=s, kernel_size=k, return_weights=True)
    want_out, want_w = loops(args, s, k, bilinear)
    np.testing.assert_allclose(out, want_out, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(weights, want_w, atol=1e-6)
    np.testing.assert_allclose(np.sum(weights, -1), 1.0, atol=1e-6)


def test_numpy_bilinear_is_jax_image_resize(rng):
  """The oracle's upsampling is jax.image.resize's (half-pixel centres, edge handling)."""
  for s, (h, w) in itertools.product((2, 3, 4), [(1, 3), (4, 5)]):
    x = rng.normal(size=(h, w, 2))
    want = jax.image.resize(jnp.asarray(x, jnp.float32), (s * h, s * w, 2), "bilinear")
    np.testing.assert_allclose(bilinear_upsample_loops(x, s), want, atol=1e-6)


def finite_difference(f, args, direction, eps=1e-6):
  plus = [a + eps * d for a, d in zip(args, direction)]
  minus = [a - eps * d for a, d in zip(args, direction)]
  return (f(plus) - f(minus)) / (2 * eps)


@pytest.mark.parametrize("s,k", [(1, 3), (2, 3), (2, 5), (3, 5)])
@pytest.mark.parametrize("bilinear", [False, True])
def test_gradients_and_jvp_match_finite_differences_of_plain_loop(rng, s, k, bilinear):
  """Reverse mode (single entries) and forward mode (`jax.jvp` along a random
  direction) of the default impl against central differences of the NumPy loop."""
  qs = 1 if bilinear else s
  args = [np.asarray(a, np.float64)
          for a in random_inputs(rng, s, k, h=2, w=3, c=4, d=2, q_stride=qs)]
  args32 = [jnp.asarray(a, jnp.float32) for a in args]
  cot = rng.normal(size=(s * 2, s * 3, 2))
  f = lambda *a: op(bilinear)(*a, stride=s, kernel_size=k)
  loss = lambda a: np.sum(loops(a, s, k, bilinear)[0] * cot)
  grads = jax.grad(lambda *a: jnp.sum(f(*a) * cot), argnums=range(5))(*args32)
  for idx, (arg, g) in enumerate(zip(args, grads)):
    for flat in rng.choice(arg.size, size=min(4, arg.size), replace=False):
      onehot = [np.zeros_like(a) for a in args]
      onehot[idx].flat[flat] = 1.0
      np.testing.assert_allclose(np.asarray(g).flat[flat],
                                 finite_difference(loss, args, onehot),
                                 atol=2e-5, rtol=1e-4, err_msg=ARGS[idx])
  direction = [rng.normal(size=a.shape) for a in args]
  _, tangent = jax.jvp(f, args32, [jnp.asarray(d, jnp.float32) for d in direction])
  want = finite_difference(lambda a: loops(a, s, k, bilinear)[0], args, direction)
  np.testing.assert_allclose(tangent, want, atol=1e-4, rtol=1e-4)


def test_invalid_positions_get_exactly_zero_weight(rng):
  s, k = 2, 5
  q, kk, v, py, px = random_inputs(rng, s, k, h=3, w=3)
  w = ops.attention_weights(q, kk, py, px, stride=s, kernel_size=k)
  r = (k - 1) // 2
  for i, j in itertools.product(range(6), range(6)):
    for ky, kx in itertools.product(range(k), range(k)):
      a, b = i + ky - r, j + kx - r
      valid = a % s == 0 and b % s == 0 and 0 <= a < 6 and 0 <= b < 6
      if not valid:
        assert w[i, j, ky * k + kx] == 0.0
      else:
        assert w[i, j, ky * k + kx] > 0.0


def test_stride_one_is_attention_convolution(rng):
  """S = 1 is Eq. 7: every in-image neighbour of the K x K window attends."""
  q, kk, v, py, px = random_inputs(rng, 1, 3, h=4, w=4)
  w = ops.attention_weights(q, kk, py, px, stride=1, kernel_size=3)
  assert np.count_nonzero(w[1, 1]) == 9 and np.count_nonzero(w[0, 0]) == 4


@pytest.mark.parametrize("bilinear", [False, True])
def test_scale_one_is_equation_12_literally(rng, bilinear):
  args = random_inputs(rng, 2, 3, h=3, w=3, q_stride=1 if bilinear else 2)
  out = op(bilinear)(*args, stride=2, kernel_size=3, scale=1.0)
  np.testing.assert_allclose(out, loops(args, 2, 3, bilinear, scale=1.0)[0], atol=1e-5)


@pytest.mark.parametrize("bilinear", [False, True])
def test_arbitrary_leading_batch_dims(rng, bilinear):
  args = random_inputs(rng, 2, 3, batch=(2, 3), h=3, w=2, q_stride=1 if bilinear else 2)
  f = op(bilinear)
  out = f(*args, stride=2, kernel_size=3)
  chex.assert_shape(out, (2, 3, 6, 4, 4))
  single = f(*[a[1, 2] for a in args[:3]], *args[3:], stride=2, kernel_size=3)
  np.testing.assert_allclose(out[1, 2], single, atol=1e-6)


def test_jit_vmap_grad_compose(rng):
  q, kk, v, py, px = random_inputs(rng, 2, 5, batch=(3,), q_stride=1)
  f = jax.jit(jax.vmap(lambda a, b, c: ops.attention_upsample_bilinear(
      a, b, c, py, px, stride=2, kernel_size=5)))
  np.testing.assert_allclose(f(q, kk, v), ops.attention_upsample_bilinear(
      q, kk, v, py, px, stride=2, kernel_size=5), atol=1e-6)


def _all_eqns(jaxpr):
  """Every equation of a jaxpr and of the jaxprs nested in its equations."""
  for eqn in jaxpr.eqns:
    yield eqn
    for param in eqn.params.values():
      for sub in param if isinstance(param, (tuple, list)) else (param,):
        sub = getattr(sub, "jaxpr", sub)
        if hasattr(sub, "eqns"):
          yield from _all_eqns(sub)


def test_bilinear_fast_path_builds_no_high_resolution_query(rng):
  """No array of the high-resolution queries' size `B*S*H*S*W*C` anywhere in
  the forward+backward program of impl="fast" (there is one in "highres")."""
  s, h, w, c = 2, 6, 5, 8
  args = random_inputs(rng, s, 5, batch=(2,), h=h, w=w, c=c, d=2, q_stride=1)
  hr_size = 2 * s * h * s * w * c
  for impl, expect in (("fast", False), ("highres", True)):
    jaxpr = jax.make_jaxpr(jax.grad(
        lambda *a: jnp.sum(ops.attention_upsample_bilinear(
            *a, stride=s, kernel_size=5, impl=impl)), argnums=range(5)))(*args)
    sizes = {int(np.prod(v.aval.shape)) for eqn in _all_eqns(jaxpr.jaxpr)
             for v in eqn.outvars}
    assert (hr_size in sizes) == expect, impl
