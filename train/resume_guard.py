"""Resume guard: a work directory is resumed only by the config that made it.

Before `python -m train` touches an existing work directory it compares the
recorded `config.json` (and every other file the entry point records,
`train/__main__._recorded`, e.g. a model spec) with what the new command
would write:

  * keys in `SAFE_KEYS` (loop length, evaluation / checkpoint / logging
    cadence, input threads, sharding layout) may change: the run resumes, the
    earlier config is kept as `config.<n>.json` and the change is printed;
  * any other difference (model, data, loss, optimiser, seed, batch size, and
    every key not listed: unknown keys are structural) stops the run before
    anything is written, naming each key with both values. Keys named in
    `--allow_config_change=key1,key2` (or all, with `--allow_config_change=all`)
    are let through on purpose and recorded like safe ones.

`config.json` is written only after the check (`record`).
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping

# Flattened keys ('a.b.c') that may differ between a run and its resumption.
# A prefix ending in '.' allows every key under it. Everything else is
# structural (changes the model, the data, the optimiser state or what the
# remaining steps compute) and needs --allow_config_change.
SAFE_KEYS = (
    "total_steps",        # train further (or stop earlier)
    "log_every",
    "eval_every",
    "checkpoint_every",
    "keep_checkpoints",
    "async_checkpoint",
    "prefetch",           # batches placed ahead; not which batches
    "debug_step_sleep",
    "data.read_threads",  # reader threads (SR); not which batches
    "data.num_threads",   # reader threads (depth)
    "data.data_dir",      # where the same named data sets live
    "sharding.",          # checkpoints restore into any sharding
)

class ConfigMismatchError(ValueError):
  """The new config differs from the work directory's in a structural key."""


def flatten(tree: Mapping, prefix: str = "") -> dict:
  """{'a': {'b': 1}} -> {'a.b': 1}; lists stay values."""
  out = {}
  for k, v in tree.items():
    if isinstance(v, Mapping):
      out.update(flatten(v, f"{prefix}{k}."))
    else:
      out[f"{prefix}{k}"] = v
  return out


def is_safe(key: str) -> bool:
  return any(key == s or (s.endswith(".") and key.startswith(s)) for s in SAFE_KEYS)


_ABSENT = object()


def show(value) -> str:
  """A value of `differences` as JSON, or '<absent>'."""
  return "<absent>" if value is _ABSENT else json.dumps(value)


def differences(old: Mapping, new: Mapping) -> list[tuple[str, object, object]]:
  """[(flat key, old value, new value)] for every key that differs, sorted."""
  a, b = flatten(old), flatten(new)
  return [(k, a.get(k, _ABSENT), b.get(k, _ABSENT)) for k in sorted(set(a) | set(b))
          if a.get(k, _ABSENT) != b.get(k, _ABSENT)]


def parse_allowed(flag: str | None) -> tuple[str, ...]:
  """'--allow_config_change' value -> keys ('all' allows every key)."""
  return tuple(k.strip() for k in (flag or "").split(",") if k.strip())


def _allowed(key: str, allowed: Iterable[str]) -> bool:
  return any(a == "all" or key == a or key.startswith(a.rstrip(".") + ".")
             for a in allowed)


def check(workdir: str | os.PathLike, new: Mapping[str, Mapping],
          allowed: Iterable[str] = (),
          normalise: Mapping[str, Callable[[dict], dict]] | None = None
          ) -> list[tuple[str, object, object]]:
  """Compare the recorded files of `workdir` with `new` ({file name: dict}).

  Reads only. Returns the accepted differences (keys prefixed by the file's
  stem for files other than config.json); raises `ConfigMismatchError`
  listing every structural difference not in `allowed`. A work directory
  without a recorded file is new for that file: nothing to compare.
  `normalise[name]`, if given, maps the recorded content to what the current
  code makes of it before comparing (e.g. a model spec written before a
  constructor option existed gets that option's default).
  """
  workdir = pathlib.Path(workdir)
  accepted, refused = [], []
  for name, content in new.items():
    path = workdir / name
    if not path.is_file():
      continue
    try:
      old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
      raise ConfigMismatchError(
          f"{path} cannot be read ({e}); it is not overwritten. Restore it, or "
          f"use a new --workdir.") from e
    if normalise and name in normalise:
      try:
        old = normalise[name](old)
      except (TypeError, ValueError):  # no longer readable as such: compare as is
        pass
    prefix = "" if name == "config.json" else pathlib.Path(name).stem + ":"
    for key, a, b in differences(old, content):
      ok = (prefix == "" and is_safe(key)) or _allowed(prefix + key, allowed)
      (accepted if ok else refused).append((prefix + key, a, b))
  if refused:
    lines = "\n".join(f"  {k}: {show(a)} in the work directory, {show(b)} now"
                      for k, a, b in refused)
    keys = ",".join(k for k, _, _ in refused)
    raise ConfigMismatchError(
        f"{workdir} was trained with a different config; nothing was changed.\n"
        f"{lines}\n"
        f"To train this config, use a new --workdir. To resume this run with "
        f"the change on purpose, add --allow_config_change={keys} (the earlier "
        f"config is kept as config.<n>.json).")
  return accepted


def record(workdir: str | os.PathLike, new: Mapping[str, Mapping]) -> pathlib.Path | None:
  """Write `new` ({file name: dict}); keep changed earlier files as `<stem>.<n>.json`.

  Returns the path the earlier config.json was kept under, or None.
  """
  workdir = pathlib.Path(workdir)
  workdir.mkdir(parents=True, exist_ok=True)
  kept = None
  for name, content in new.items():
    path = workdir / name
    text = json.dumps(content, indent=2) + "\n"
    if path.is_file():
      if json.loads(path.read_text(encoding="utf-8")) == json.loads(text):
        continue
      stem, n = path.stem, 1
      while (workdir / f"{stem}.{n}.json").exists():
        n += 1
      path.rename(workdir / f"{stem}.{n}.json")
      if name == "config.json":
        kept = workdir / f"{stem}.{n}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
  return kept
