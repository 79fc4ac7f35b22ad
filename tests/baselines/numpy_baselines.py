"""Plain-loop NumPy versions of the classical baselines (test oracles)."""

from __future__ import annotations

import numpy as np


def jbu_loop(depth_lr, guide, factor, sigma_spatial, sigma_range):
  """`[h, w]`, `[H, W, 3]` -> `[H, W]`, one HR pixel and one LR sample at a time."""
  h, w = depth_lr.shape
  m = factor
  valid = depth_lr[depth_lr > 0]
  fallback = valid.mean() if valid.size else 0.0
  out = np.zeros((m * h, m * w))
  for y in range(m * h):
    for x in range(m * w):
      num = den = 0.0
      for a in range(y // m - 1, y // m + 3):
        for b in range(x // m - 1, x // m + 3):
          if not (0 <= a < h and 0 <= b < w) or depth_lr[a, b] <= 0:
            continue
          ds = (a - y / m) ** 2 + (b - x / m) ** 2
          dc = np.sum((guide[y, x].astype(np.float64)
                       - guide[m * a, m * b]) ** 2)
          wt = np.exp(-ds / (2 * sigma_spatial ** 2) - dc / (2 * sigma_range ** 2))
          num += wt * depth_lr[a, b]
          den += wt
      out[y, x] = num / den if den > 0 else fallback
  return out


def guided_filter_loop(p, guide, weight, radius, eps, fallback):
  """Weighted colour guided filter, `[H, W]`, `[H, W, 3]`, `[H, W]` -> `[H, W]`,
  one window at a time (windows clipped at the border)."""
  hh, ww = p.shape
  a = np.zeros((hh, ww, 3))
  b = np.zeros((hh, ww))
  ok = np.zeros((hh, ww), bool)
  for y in range(hh):
    for x in range(ww):
      ys = slice(max(0, y - radius), y + radius + 1)
      xs = slice(max(0, x - radius), x + radius + 1)
      wt = weight[ys, xs].astype(np.float64).ravel()
      if wt.sum() < 0.5:
        continue
      ii = guide[ys, xs].reshape(-1, 3).astype(np.float64)
      pp = p[ys, xs].astype(np.float64).ravel()
      n = wt.sum()
      mu_i = (wt[:, None] * ii).sum(0) / n
      mu_p = (wt * pp).sum() / n
      d = ii - mu_i
      sigma = (wt[:, None, None] * d[:, :, None] * d[:, None, :]).sum(0) / n
      cov = (wt[:, None] * d * (pp - mu_p)[:, None]).sum(0) / n
      a[y, x] = np.linalg.solve(sigma + eps * np.eye(3), cov)
      b[y, x] = mu_p - a[y, x] @ mu_i
      ok[y, x] = True
  out = np.full((hh, ww), float(fallback))
  for y in range(hh):
    for x in range(ww):
      ys = slice(max(0, y - radius), y + radius + 1)
      xs = slice(max(0, x - radius), x + radius + 1)
      k = ok[ys, xs]
      if k.any():
        out[y, x] = (a[ys, xs][k].mean(0) @ guide[y, x] + b[ys, xs][k].mean())
  return out
