"""attention_upsample: fast == reference == the equation, values and gradients (SPEC Sec. 1)."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax import ops
from numpy_attention import attention_upsample_loops

# (S, K): every stride with its smallest valid window and a larger one.
GRID = [(1, 1), (1, 3), (2, 3), (2, 5), (3, 5), (3, 7), (4, 7), (4, 9)]


def random_inputs(rng, s, k, batch=(), h=5, w=3, c=6, d=4, dtype=np.float32):
  n = lambda *shape: jnp.asarray(rng.normal(size=shape), dtype)
  return (n(*batch, s * h, s * w, c), n(*batch, h, w, c), n(*batch, h, w, d),
          n(k, c // 2), n(k, c // 2))


@pytest.mark.parametrize("s,k", GRID)
@pytest.mark.parametrize("batch", [(1,), (3,)])
def test_fast_matches_reference_values_and_gradients(rng, s, k, batch):
  args = random_inputs(rng, s, k, batch, h=4, w=3, c=6, d=5)   # non-square, Cv != C
  kw = dict(stride=s, kernel_size=k)
  fast = ops.attention_upsample(*args, **kw, impl="fast")
  ref = ops.attention_upsample(*args, **kw, impl="reference")
  assert fast.shape == batch + (s * 4, s * 3, 5)
  np.testing.assert_allclose(fast, ref, atol=1e-5, rtol=0)

  cot = jnp.asarray(rng.normal(size=fast.shape), jnp.float32)
  loss = lambda impl: lambda *a: jnp.sum(
      ops.attention_upsample(*a, **kw, impl=impl) * cot)
  g_fast = jax.grad(loss("fast"), argnums=range(5))(*args)
  g_ref = jax.grad(loss("reference"), argnums=range(5))(*args)
  for name, a, b in zip("q k v pos_y pos_x".split(), g_fast, g_ref):
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=0, err_msg=name)
    if k > 1 or name == "v":   # K = 1: one position, softmax is constant 1
      assert float(jnp.abs(a).max()) > 0, f"gradient of {name} is identically 0"


@pytest.mark.parametrize("s,k", GRID)
@pytest.mark.parametrize("impl", ["fast", "reference"])
def test_matches_plain_loop_equation(rng, s, k, impl):
  q, kk, v, py, px = random_inputs(rng, s, k, h=3, w=4, c=4, d=3)
  out, weights = ops.attention_upsample(q, kk, v, py, px, stride=s, kernel_size=k,
                                        impl=impl, return_weights=True)
  want_out, want_w = attention_upsample_loops(*map(np.asarray, (q, kk, v, py, px)), s, k)
  np.testing.assert_allclose(out, want_out, atol=1e-5, rtol=1e-5)
  np.testing.assert_allclose(weights, want_w, atol=1e-6)
  np.testing.assert_allclose(np.sum(weights, -1), 1.0, atol=1e-6)


@pytest.mark.parametrize("s,k", [(1, 3), (2, 3), (2, 5), (3, 5)])
def test_gradients_match_finite_differences_of_plain_loop(rng, s, k):
  """Fast-path gradients against central differences of the NumPy loop (float64)."""
  args = [np.asarray(a, np.float64) for a in random_inputs(rng, s, k, h=2, w=3, c=4, d=2)]
  cot = rng.normal(size=(s * 2, s * 3, 2))
  grads = jax.grad(lambda *a: jnp.sum(ops.attention_upsample(
      *a, stride=s, kernel_size=k) * cot), argnums=range(5))(
          *[jnp.asarray(a, jnp.float32) for a in args])
  f = lambda a: np.sum(attention_upsample_loops(*a, s, k)[0] * cot)
  eps = 1e-6
  for idx, (arg, g) in enumerate(zip(args, grads)):
    flat_positions = rng.choice(arg.size, size=min(6, arg.size), replace=False)
    for flat in flat_positions:
      plus = [a.copy() for a in args]
      minus = [a.copy() for a in args]
      plus[idx].flat[flat] += eps
      minus[idx].flat[flat] -= eps
      numeric = (f(plus) - f(minus)) / (2 * eps)
      np.testing.assert_allclose(np.asarray(g).flat[flat], numeric, atol=2e-5, rtol=1e-4)


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


def test_scale_one_is_equation_12_literally(rng):
  q, kk, v, py, px = random_inputs(rng, 2, 3, h=3, w=3)
  out = ops.attention_upsample(q, kk, v, py, px, stride=2, kernel_size=3, scale=1.0)
  want, _ = attention_upsample_loops(*map(np.asarray, (q, kk, v, py, px)), 2, 3, scale=1.0)
  np.testing.assert_allclose(out, want, atol=1e-5)


def test_arbitrary_leading_batch_dims(rng):
  args = random_inputs(rng, 2, 3, batch=(2, 3), h=3, w=2)
  out = ops.attention_upsample(*args, stride=2, kernel_size=3)
  assert out.shape == (2, 3, 6, 4, 4)
  single = ops.attention_upsample(*[a[1, 2] for a in args[:3]], *args[3:],
                                  stride=2, kernel_size=3)
  np.testing.assert_allclose(out[1, 2], single, atol=1e-6)


def test_jit_vmap_grad_compose(rng):
  q, kk, v, py, px = random_inputs(rng, 2, 5, batch=(3,))
  f = jax.jit(jax.vmap(lambda a, b, c: ops.attention_upsample(
      a, b, c, py, px, stride=2, kernel_size=5)))
  np.testing.assert_allclose(f(q, kk, v), ops.attention_upsample(
      q, kk, v, py, px, stride=2, kernel_size=5), atol=1e-6)
