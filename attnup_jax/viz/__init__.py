"""Figures for the paper's results: SR comparisons with zoomed crops (Fig. 7),
attention windows as heat maps (K x K windows of the layer, 4 x 4 LR
windows of the grid-sampled depth upsamplers), coloured depth maps, training curves.

Every function draws on a bare `matplotlib.figure.Figure` (no pyplot state, so
it is safe under the Agg backend, in tests and in threads), returns it, and
saves it when given `path`. Notebooks display the returned figure directly.
"""

from attnup_jax.viz._attention import attention_maps
from attnup_jax.viz._compare import compare_figure
from attnup_jax.viz._curves import read_jsonl, training_curves
from attnup_jax.viz._depth import colorize_depth
from attnup_jax.viz._figure import figure_to_array, save_figure
from attnup_jax.viz._lr_window import lr_window_maps, window_samples

__all__ = [
    "attention_maps",
    "colorize_depth",
    "compare_figure",
    "figure_to_array",
    "lr_window_maps",
    "read_jsonl",
    "save_figure",
    "training_curves",
    "window_samples",
]
