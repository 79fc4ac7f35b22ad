"""ops.conv2d: lax.conv_general_dilated with an explicit choice of kernel gradient.

Both paths, `kernel_grad="matmul"` (the custom rule) and `"xla"` (XLA's own),
give the same values and gradients (input and kernel) as XLA's convolution and
as a plain-loop NumPy convolution, for the padding and kernel shapes the
models use, whatever the backend; other configurations fall back to lax.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax import ops

DN = ("NHWC", "HWIO", "NHWC")


def conv_loops(x, kernel, pads):
  """y[b, i, j, o] = sum_{dy, dx, c} xpad[b, i + dy, j + dx, c] * kernel[dy, dx, c, o]."""
  (pt, pb), (pl, pr) = pads
  xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
  kh, kw, _, cout = kernel.shape
  b, hp, wp, _ = xp.shape
  y = np.zeros((b, hp - kh + 1, wp - kw + 1, cout))
  for i in range(y.shape[1]):
    for j in range(y.shape[2]):
      for dy in range(kh):
        for dx in range(kw):
          y[:, i, j] += xp[:, i + dy, j + dx] @ kernel[dy, dx]
  return y


def kernel_grad_loops(x, g, kshape, pads):
  """dL/dkernel[dy, dx, c, o] = sum_{b, i, j} xpad[b, i + dy, j + dx, c] * g[b, i, j, o]."""
  (pt, pb), (pl, pr) = pads
  xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
  kh, kw, _, _ = kshape
  _, ho, wo, _ = g.shape
  dk = np.zeros(kshape)
  for dy in range(kh):
    for dx in range(kw):
      dk[dy, dx] = np.einsum("bhwc,bhwo->co", xp[:, dy:dy + ho, dx:dx + wo], g)
  return dk


CASES = [  # (batch, H, W, Cin, Cout, Kh, Kw, padding)
    (2, 7, 5, 3, 4, 3, 3, "SAME"),
    (1, 6, 9, 2, 5, 5, 5, "SAME"),
    (3, 8, 8, 4, 2, 1, 1, "SAME"),
    (2, 9, 7, 3, 2, 4, 2, "SAME"),      # even kernel: asymmetric padding
    (2, 6, 6, 3, 3, 3, 3, "VALID"),
    (1, 5, 6, 2, 3, 3, 3, ((2, 0), (1, 1))),
    # Cout < Cin: the window moves onto the output gradient.
    (2, 7, 6, 6, 1, 5, 5, "SAME"),
    (1, 8, 5, 5, 2, 3, 2, "VALID"),
    (2, 6, 7, 4, 3, 3, 3, ((0, 2), (2, 1))),
]


def _pads(padding, kh, kw):
  if padding == "SAME":
    return tuple(((k - 1) // 2, k - 1 - (k - 1) // 2) for k in (kh, kw))
  if padding == "VALID":
    return ((0, 0), (0, 0))
  return padding


@pytest.mark.parametrize("kernel_grad", ops._conv.KERNEL_GRADS)
@pytest.mark.parametrize("b,h,w,cin,cout,kh,kw,padding", CASES)
def test_conv2d_values_and_gradients_match_lax_and_loops(
    rng, b, h, w, cin, cout, kh, kw, padding, kernel_grad):
  x = rng.normal(size=(b, h, w, cin)).astype(np.float32)
  kernel = rng.normal(size=(kh, kw, cin, cout)).astype(np.float32)
  ours = lambda x, k: ops.conv2d(x, k, (1, 1), padding, dimension_numbers=DN,
                                 kernel_grad=kernel_grad)
  theirs = lambda x, k: jax.lax.conv_general_dilated(x, k, (1, 1), padding,
                                                     dimension_numbers=DN)
  y = jax.jit(ours)(x, kernel)
  pads = _pads(padding, kh, kw)
  np.testing.assert_allclose(y, theirs(x, kernel), atol=1e-5, rtol=0)
  np.testing.assert_allclose(y, conv_loops(x, kernel, pads), atol=1e-4, rtol=0)

  g = rng.normal(size=y.shape).astype(np.float32)
  grads = lambda f: jax.jit(jax.grad(lambda x, k: jnp.sum(f(x, k) * g), (0, 1)))(
      x, kernel)
  (dx, dk), (dx_ref, dk_ref) = grads(ours), grads(theirs)
  np.testing.assert_allclose(dx, dx_ref, atol=1e-4, rtol=0)
  np.testing.assert_allclose(dk, dk_ref, atol=1e-4, rtol=0)
  np.testing.assert_allclose(dk, kernel_grad_loops(x, g, kernel.shape, pads),
                             atol=1e-4, rtol=0)


@pytest.mark.parametrize("kernel_grad,custom", [("matmul", True), ("xla", False)])
def test_kernel_grad_selects_the_rule_not_the_backend(kernel_grad, custom):
  """The custom VJP is in the program iff kernel_grad="matmul", on any backend."""
  x, k = jnp.ones((1, 6, 6, 2)), jnp.ones((3, 3, 2, 3))
  conv = ops.conv2d_with(kernel_grad)
  jaxpr = str(jax.make_jaxpr(lambda k: conv(x, k, (1, 1), "SAME",
                                             dimension_numbers=DN))(k))
  assert ("custom_vjp_call" in jaxpr) == custom
  with pytest.raises(ValueError, match="kernel_grad"):
    ops.conv2d_with("cpu")


def test_conv2d_falls_back_to_lax_for_other_configurations(rng):
  x = jnp.asarray(rng.normal(size=(1, 8, 8, 4)), jnp.float32)
  k = jnp.asarray(rng.normal(size=(3, 3, 2, 6)), jnp.float32)
  kw = dict(window_strides=(2, 2), padding="SAME", dimension_numbers=DN,
            feature_group_count=2)
  np.testing.assert_allclose(ops.conv2d(x, k, **kw),
                             jax.lax.conv_general_dilated(x, k, **kw), atol=1e-6)


def test_conv2d_second_order_gradients(rng):
  """The custom rule is itself differentiable (e.g. gradient penalties)."""
  x = jnp.asarray(rng.normal(size=(1, 5, 5, 2)), jnp.float32)
  k = jnp.asarray(rng.normal(size=(3, 3, 2, 2)), jnp.float32)

  def grad_norm(f):
    inner = lambda k: jnp.sum(f(x, k) ** 2)
    return jax.grad(lambda k: jnp.sum(jax.grad(inner)(k) ** 2))(k)

  ours = grad_norm(lambda x, k: ops.conv2d(x, k, (1, 1), "SAME", dimension_numbers=DN))
  theirs = grad_norm(lambda x, k: jax.lax.conv_general_dilated(
      x, k, (1, 1), "SAME", dimension_numbers=DN))
  np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-3)


def test_nnx_conv_with_conv2d_equals_default(rng):
  x = jnp.asarray(rng.normal(size=(2, 6, 6, 3)), jnp.float32)
  a = nnx.Conv(3, 4, (3, 3), padding="SAME", rngs=nnx.Rngs(0))
  b = nnx.Conv(3, 4, (3, 3), padding="SAME", conv_general_dilated=ops.conv2d,
               rngs=nnx.Rngs(0))
  np.testing.assert_allclose(a(x), b(x), atol=1e-6)
  ga = nnx.grad(lambda m: jnp.sum(m(x) ** 2))(a)
  gb = nnx.grad(lambda m: jnp.sum(m(x) ** 2))(b)
  np.testing.assert_allclose(ga["kernel"][...], gb["kernel"][...], rtol=1e-5, atol=1e-4)
