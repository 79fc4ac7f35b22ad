"""Classical depth-upsampling baselines (paper Table II rows): pure JAX
functions of `depth_lr [..., h, w, 1]` (grid-sampled, 0 = hole) and the RGB
guide `[..., M*h, M*w, 3]` -> `[..., M*h, M*w, 1]`; no Flax, jit/vmap-able.

    jbu_upsample(depth_lr, guide, M, **JBU_PARAMS[M])
    guided_filter_upsample(depth_lr, guide, M, **GF_PARAMS[M])
"""

from attnup_jax.baselines.guided_filter import GF_PARAMS, guided_filter_upsample
from attnup_jax.baselines.jbu import JBU_PARAMS, jbu_upsample

__all__ = ["GF_PARAMS", "JBU_PARAMS", "guided_filter_upsample", "jbu_upsample"]
