"""The SR and depth train steps of `train/`, built for benchmarks from a config
name, with an explicit convolution kernel gradient (`ops.conv2d`)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx


def train_step(config, task):
  """(abstract state, jitted donating step) of the real `train.state` step."""
  from train import optim, state as train_state
  tx, plateau = optim.make_optimizer(config), optim.make_plateau(config)

  def init():
    model = task.build_model(nnx.Rngs(0))
    _, params, rest = nnx.split(model, nnx.Param, ...)
    return {"step": jnp.zeros((), jnp.int32), "params": params, "rest": rest,
            "opt": tx.init(params), "plateau": plateau.init(params)}

  step = train_state.make_train_step(train_state.model_graphdef(task), task, config)
  return init, jax.eval_shape(init), jax.jit(step, donate_argnums=(0,))


def sr_task(arg: str, kernel_grad: str):
  """(config, task, batch_fn) for `configs/sr.py:arg`; batch_fn(b) gives
  `ShapeDtypeStruct`s of a batch of b 64x64 HR patches."""
  from configs import sr as sr_config
  from train.tasks.sr import SuperResolutionTask
  config = sr_config.get_config(arg)
  config.model.kernel_grad = kernel_grad     # a SuperResolutionNet argument
  hr = 64
  lr = hr // int(config.model.scale)
  batch = lambda b: {"lr": jax.ShapeDtypeStruct((b, lr, lr, 1), jnp.float32),
                     "hr": jax.ShapeDtypeStruct((b, hr, hr, 1), jnp.float32)}
  return config, SuperResolutionTask(config), batch


def depth_task(arg: str, kernel_grad: str):
  """(config, task, batch_fn) for `configs/depth.py:arg` at its crop size."""
  from configs import depth as depth_config
  from train.tasks.depth import DepthTask
  config = depth_config.get_config(arg)
  config.model.kwargs.kernel_grad = kernel_grad
  p, m = int(config.data.crop), int(config.model.factor)
  batch = lambda b: {"depth_lr": jax.ShapeDtypeStruct((b, p // m, p // m, 1), jnp.float32),
                     "guide": jax.ShapeDtypeStruct((b, p, p, 3), jnp.float32),
                     "depth_hr": jax.ShapeDtypeStruct((b, p, p, 1), jnp.float32),
                     "valid": jax.ShapeDtypeStruct((b, p, p, 1), jnp.bool_)}
  return config, DepthTask(config), batch
