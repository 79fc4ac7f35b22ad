"""Parameter counts of the depth-upsampling models (paper Table I, Fig. 5).

Prints a markdown table of parameter counts at each factor and writes a
figure: a bar chart of parameter counts or, with `--results`, parameters vs
RMSE per factor like the paper's Fig. 5.

    python scripts/depth_param_plot.py                       # docs/figures/depth_params.png
    python scripts/depth_param_plot.py --results runs/depth_rmse.json --out fig5.png

`--results` JSON: `{"<model name>": {"<factor>": rmse_cm, ...}, ...}`, e.g.
`{"djf": {"4": 3.54, "8": 6.20}, "sa_m2_f32": {"4": 2.64}}`; names are those
of `attnup_jax.models.presets.DEPTH_MODELS`, plus `"bicubic"` (a dashed line). Counts need no weights
(`nnx.eval_shape`).
"""

from __future__ import annotations

import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from attnup_jax.models.presets import (DEPTH_MODELS, DISPLAY_NAMES,  # noqa: E402
                                       depth_model_params)


def fdkn_params() -> int:
  """FDKN (Kim et al. 2021) parameter count, from its released architecture:
  two identical kernel branches on 4x4 space-to-depth inputs (16 channels),
  3x3 convs 16-32-32-64-64-128-128 (BatchNorm, scale and shift, after the 1st,
  3rd and 5th), then 1x1 convs to K^2 M^2 weights and 2 K^2 M^2 offsets
  (K = 3, M = 4 resample factor)."""
  conv = lambda cin, cout, k: k * k * cin * cout + cout
  chans = [16, 32, 32, 64, 64, 128, 128]
  branch = sum(conv(a, b, 3) for a, b in zip(chans[:-1], chans[1:]))
  branch += 2 * (32 + 64 + 128)                       # BatchNorm gamma, beta
  branch += conv(128, 9 * 16, 1) + conv(128, 2 * 9 * 16, 1)
  return 2 * branch


def count_table(factors, names):
  """{name: {factor: params}} for the default models and, for the attention
  models, the per-stage CNN_M alternative (`share_stages=False`)."""
  shared = {n: {m: depth_model_params(n, m) for m in factors} for n in names}
  per_stage = {n: {m: depth_model_params(n, m, share_stages=False) for m in factors}
               for n in names if n.startswith("sa_")}
  return shared, per_stage


def markdown(shared, per_stage, factors) -> str:
  head = "| model | " + " | ".join(f"x{m}" for m in factors)
  head += " | " + " | ".join(f"x{m} per-stage CNN_M" for m in factors) + " |"
  lines = [head, "|---" * (1 + 2 * len(factors)) + "|"]
  for n, counts in shared.items():
    row = [f"{counts[m]:,}" for m in factors]
    row += [f"{per_stage[n][m]:,}" if n in per_stage else "-" for m in factors]
    lines.append(f"| {DISPLAY_NAMES[n]} | " + " | ".join(row) + " |")
  return "\n".join(lines)


def bar_chart(shared, factors, out):
  names = list(shared)
  labels = [DISPLAY_NAMES[n] for n in names]
  fig, ax = plt.subplots(figsize=(7.5, 4.2))
  same = all(len(set(shared[n].values())) == 1 for n in names)
  groups = [factors[0]] if same else factors
  h = 0.8 / len(groups)
  for j, m in enumerate(groups):
    ys = [i + (j - (len(groups) - 1) / 2) * h for i in range(len(names))]
    vals = [shared[n][m] / 1e3 for n in names]
    colors = ["tab:orange" if n.startswith("djf") else "tab:blue" for n in names]
    bars = ax.barh(ys, vals, height=h, color=colors,
                   label=None if same else f"x{m}")
    ax.bar_label(bars, [f"{v:,.0f}k" for v in vals], padding=3, fontsize=8)
  fdkn = fdkn_params() / 1e3
  ax.axvline(fdkn, ls="--", c="gray")
  ax.text(fdkn, 0, f" FDKN\n {fdkn:,.0f}k", color="gray", fontsize=8,
          va="center", ha="left")
  ax.set_yticks(range(len(names)), labels)
  ax.invert_yaxis()
  ax.set_xlabel("parameters (thousands)\norange: DJF family; blue: attention "
                "(SA; one CNN_M shared by the stages, K = 5)", fontsize=9)
  ax.set_xlim(0, max(fdkn, max(shared[n][groups[0]] for n in names) / 1e3) * 1.18)
  title = "Depth upsampling models (Table I): parameters"
  title += f", same at x{'/x'.join(map(str, factors))}" if same else ""
  ax.set_title(title, fontsize=10)
  if not same:
    ax.legend()
  fig.tight_layout()
  fig.savefig(out, dpi=150)
  plt.close(fig)


def rmse_chart(results, factors, out):
  """Parameters vs RMSE, one panel per factor (paper Fig. 5). The RMSE axis
  starts at 0, so that a difference looks as large as it is relative to the
  error (no zoomed-in axis making 0.001 cm look like a gap)."""
  fig, axes = plt.subplots(1, len(factors), figsize=(4.2 * len(factors), 3.8),
                           squeeze=False)
  for ax, m in zip(axes[0], factors):
    top = 0.0
    for n, by_factor in results.items():
      if str(m) not in by_factor:
        continue
      top = max(top, float(by_factor[str(m)]))
      if n == "bicubic":
        ax.axhline(float(by_factor[str(m)]), color="gray", ls="--", lw=1,
                   label="bicubic")
        ax.legend(fontsize=7, loc="upper right")
        continue
      x, y = depth_model_params(n, m) / 1e3, float(by_factor[str(m)])
      djf = n.startswith("djf")
      ax.scatter(x, y, marker="s" if djf else "o",
                 c="tab:orange" if djf else "tab:blue")
      ax.annotate(DISPLAY_NAMES.get(n, n), (x, y), fontsize=7,
                  xytext=(3, 3), textcoords="offset points")
    ax.set_title(f"x{m}")
    ax.set_xlabel("parameters (thousands)")
    ax.set_ylabel("RMSE (cm)")
    ax.grid(alpha=0.3)
    ax.margins(x=0.2)
    ax.set_ylim(0, 1.2 * top if top > 0 else 1)
    ax.ticklabel_format(axis="y", useOffset=False)
  fig.tight_layout()
  fig.savefig(out, dpi=150)
  plt.close(fig)


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--factors", default="4,8,16")
  p.add_argument("--out", default="docs/figures/depth_params.png")
  p.add_argument("--results", default=None,
                 help="JSON {model: {factor: rmse_cm}}: plot parameters vs RMSE")
  a = p.parse_args(argv)
  factors = [int(f) for f in a.factors.split(",")]
  shared, per_stage = count_table(factors, list(DEPTH_MODELS))
  print(markdown(shared, per_stage, factors))
  fdkn, sa = fdkn_params(), shared["sa_m2_f32"][factors[0]]
  print(f"\nFDKN (released code): {fdkn:,} parameters = {fdkn / sa:.2f}x SA M2 F32 "
        f"(paper Sec. IV-A-3: 'around 1.9x')")
  os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
  if a.results:
    with open(a.results) as f:
      results = json.load(f)
    unknown = sorted(set(results) - set(DEPTH_MODELS) - {"bicubic"})
    if unknown:
      raise SystemExit(f"unknown models in {a.results}: {unknown}; "
                       f"known: {sorted(DEPTH_MODELS)}")
    rmse_chart(results, factors, a.out)
  else:
    bar_chart(shared, factors, a.out)
  print(f"wrote {a.out}")


if __name__ == "__main__":
  main()
