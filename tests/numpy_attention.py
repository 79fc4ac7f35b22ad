"""Plain-loop NumPy version of SPEC Sec. 1, written from the equation alone
(no zero-upsampled tensors, no patches): the independent oracle of the tests."""

import numpy as np


def attention_upsample_loops(q, k, v, pos_y, pos_x, stride, kernel_size,
                             scale=None):
  """One image. q [S*H, S*W, C], k [H, W, C], v [H, W, D] -> ([S*H, S*W, D], [S*H, S*W, K*K])."""
  s, K = stride, kernel_size
  r = (K - 1) // 2
  h, w, c = k.shape
  scale = 1.0 / np.sqrt(c) if scale is None else scale
  out = np.zeros(q.shape[:2] + (v.shape[-1],), np.float64)
  weights = np.zeros(q.shape[:2] + (K * K,), np.float64)
  for i in range(s * h):
    for j in range(s * w):
      logits, values, slots = [], [], []
      for a in range(i - r, i + r + 1):
        for b in range(j - r, j + r + 1):
          if a % s or b % s or not (0 <= a < s * h and 0 <= b < s * w):
            continue                                   # invalid: probability 0
          pos = np.concatenate([pos_y[a - i + r], pos_x[b - j + r]])
          logits.append(scale * np.dot(q[i, j], k[a // s, b // s] + pos))
          values.append(v[a // s, b // s])
          slots.append((a - i + r) * K + (b - j + r))
      logits = np.array(logits, np.float64)
      p = np.exp(logits - logits.max())
      p /= p.sum()
      out[i, j] = np.sum(p[:, None] * np.array(values, np.float64), axis=0)
      weights[i, j, slots] = p
  return out, weights


def bilinear_upsample_loops(x, stride):
  """[H, W, C] -> [S*H, S*W, C], half-pixel centres, edges clamped (align_corners=False)."""
  h, w, _ = x.shape
  s = stride

  def taps(i, n):
    coord = (i + 0.5) / s - 0.5
    i0 = int(np.floor(coord))
    f = coord - i0
    return min(max(i0, 0), n - 1), min(max(i0 + 1, 0), n - 1), f

  out = np.zeros((s * h, s * w, x.shape[-1]), np.float64)
  for i in range(s * h):
    a0, a1, fa = taps(i, h)
    for j in range(s * w):
      b0, b1, fb = taps(j, w)
      out[i, j] = ((1 - fa) * ((1 - fb) * x[a0, b0] + fb * x[a0, b1]) +
                   fa * ((1 - fb) * x[a1, b0] + fb * x[a1, b1]))
  return out
