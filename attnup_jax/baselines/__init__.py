"""Classical depth-upsampling baselines (paper Table II rows): pure JAX
functions of `depth_lr [..., h, w, 1]` (grid-sampled, 0 = hole) and the RGB
guide `[..., M*h, M*w, 3]` -> `[..., M*h, M*w, 1]`; no Flax, jit/vmap-able.

    jbu_upsample(depth_lr, guide, M, **JBU_PARAMS[M])
    guided_filter_upsample(depth_lr, guide, M, **GF_PARAMS[M])
    classical_predicts(M)    # {'JBU': fn, 'GF': fn}, fn(depth_lr, guide), tuned
"""

from attnup_jax.baselines.guided_filter import GF_PARAMS, guided_filter_upsample
from attnup_jax.baselines.jbu import JBU_PARAMS, jbu_upsample


def classical_predicts(factor: int) -> dict:
  """{'JBU', 'GF'}: batched `(depth_lr, guide) -> [B, H, W, 1]` with the
  parameters chosen on RGB-D-D train for `factor` (4, 8 or 16): the rows of
  a method table, as `evaluation.depth.bicubic_predict` is bicubic's."""
  if factor not in JBU_PARAMS:
    raise ValueError(f"JBU/GF parameters are chosen for factors "
                     f"{sorted(JBU_PARAMS)}, not {factor}.")
  return {"JBU": lambda d, g: jbu_upsample(d, g, factor, **JBU_PARAMS[factor]),
          "GF": lambda d, g: guided_filter_upsample(d, g, factor,
                                                    **GF_PARAMS[factor])}


__all__ = ["GF_PARAMS", "JBU_PARAMS", "classical_predicts",
           "guided_filter_upsample", "jbu_upsample"]
