"""Train state as a pytree, created already sharded, and the pure train step.

    state = {'step': int32 [],            updates applied so far
             'params': nnx.State,         the model's nnx.Param variables
             'rest': nnx.State,           other model variables (e.g. statistics)
             'opt': optax state,          Adam (and clipping) state
             'plateau': ReduceLROnPlateauState}

The model object never enters `jit`: `nnx.split` gives a static graph
definition and the state above, and the step `nnx.merge`s them inside
(flax `examples/nnx_toy_examples/03_train_state.py`). Shapes come from
`jax.eval_shape(init)`, placement from `jax.jit(init, out_shardings=...)`
(big_vision `train.py`), so no device ever holds an unsharded copy.
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx
from jax.sharding import Mesh

from train import optim, sharding

State = dict[str, Any]


def model_graphdef(task) -> nnx.GraphDef:
  """The static graph definition of the task's model (no parameters allocated)."""
  abstract = nnx.eval_shape(lambda: task.build_model(nnx.Rngs(0)))
  graphdef, _, _ = nnx.split(abstract, nnx.Param, ...)
  return graphdef


def create_state(task, config, mesh: Mesh) -> tuple[nnx.GraphDef, State, State]:
  """Initialise the train state directly in its shardings.

  Returns:
    (graphdef, state, shardings): the model's graph definition, the state
    pytree placed on `mesh`, and the matching pytree of `NamedSharding`s.
  """
  tx, plateau = optim.make_optimizer(config), optim.make_plateau(config)

  def init() -> State:
    model = task.build_model(nnx.Rngs(int(config.seed)))
    _, params, rest = nnx.split(model, nnx.Param, ...)
    return {"step": jnp.zeros((), jnp.int32), "params": params, "rest": rest,
            "opt": tx.init(params), "plateau": plateau.init(params)}

  abstract = jax.eval_shape(init)
  shardings = sharding.state_shardings(abstract, mesh, config.sharding.params,
                                       int(config.sharding.fsdp_min_size))
  # Initialisation runs once: on CPU, skip LLVM optimisation (compiles ~5x faster).
  opts = ({"xla_backend_optimization_level": 0}
          if jax.default_backend() == "cpu" else None)
  state = jax.jit(init, out_shardings=shardings, compiler_options=opts)()
  return model_graphdef(task), state, shardings


def abstract_state(state_shardings: State, like: State) -> State:
  """`ShapeDtypeStruct`s with the current shardings: the restore target."""
  return jax.tree.map(
      lambda x, s: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s),
      like, state_shardings)


def make_train_step(graphdef: nnx.GraphDef, task, config) -> Callable:
  """`(state, batch) -> (state, metrics)`: one Adam update on the global batch."""
  tx = optim.make_optimizer(config)

  def train_step(state: State, batch) -> tuple[State, dict]:
    def loss_fn(params):
      model = nnx.merge(graphdef, params, state["rest"])
      loss, aux = task.loss(model, batch)
      _, _, rest = nnx.split(model, nnx.Param, ...)
      return loss, (aux, rest)

    (loss, (aux, rest)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        state["params"])
    with jax.numpy_dtype_promotion("standard"):  # optax computes b1 ** int32 count
      updates, opt = tx.update(grads, state["opt"], state["params"])
    scale = state["plateau"].scale
    updates = jax.tree.map(lambda u: u * scale.astype(u.dtype), updates)
    params = optax.apply_updates(state["params"], updates)
    new_state = {"step": state["step"] + 1, "params": params, "rest": rest,
                 "opt": opt, "plateau": state["plateau"]}
    metrics = {"loss": loss, "grad_norm": optax.tree.norm(grads),
               "lr_scale": scale, **aux}
    return new_state, metrics

  return train_step


def jit_train_step(train_step: Callable, shardings: State, mesh: Mesh) -> Callable:
  """jit with explicit shardings; the input state is donated (updated in place)."""
  return jax.jit(train_step,
                 in_shardings=(shardings, sharding.batch_sharding(mesh)),
                 out_shardings=(shardings, sharding.replicated(mesh)),
                 donate_argnums=(0,))


def make_predict(graphdef: nnx.GraphDef) -> Callable:
  """jitted `(params, rest, *inputs) -> model(*inputs)` for evaluation."""
  @jax.jit
  def predict(params, rest, *inputs):
    return nnx.merge(graphdef, params, rest)(*inputs)
  return predict


@jax.jit
def all_finite(tree) -> jax.Array:
  """True iff every floating leaf of `tree` is finite."""
  leaves = [jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)
            if jnp.issubdtype(x.dtype, jnp.floating)]
  return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)
