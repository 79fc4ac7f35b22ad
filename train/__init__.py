"""The training program: `python -m train --config configs/<file>.py[:arg] --workdir DIR`.

Modules: `loop` (the shared loop), `state` (sharded train state and the pure
step), `sharding` (mesh, batch and parameter shardings), `optim` (Adam and
schedules), `checkpoint` (orbax), `prefetch` (input overlap), `logs`
(JSONL / TensorBoard), `tasks` (what differs between experiments),
`resume_guard` (a workdir resumes only with its own config), `interrupt`
(Ctrl-C), `liveness` (several processes: one dies, all stop).
"""
