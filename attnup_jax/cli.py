"""The `attnup` command: `attnup <command> [args]`, one module per command in
`attnup_jax/commands/` exposing `main(argv) -> int` and a one-line docstring."""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "evaluate": "attnup_jax.commands.evaluate",
    "upscale": "attnup_jax.commands.upscale",
    "upsample-depth": "attnup_jax.commands.upsample_depth",
    "export": "attnup_jax.commands.export",
    "demo": "attnup_jax.commands.demo",
    "benchmark": "attnup_jax.commands.benchmark",
}


def _usage() -> str:
  lines = ["usage: attnup <command> [--help] [args]", "", "commands:"]
  for name, module in COMMANDS.items():
    try:
      doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()[0]
    except ImportError:
      continue
    lines.append(f"  {name:<16}{doc}")
  return "\n".join(lines)


def main(argv=None) -> int:
  argv = sys.argv[1:] if argv is None else list(argv)
  if not argv or argv[0] in ("-h", "--help"):
    print(_usage())
    return 0
  name, rest = argv[0], argv[1:]
  if name not in COMMANDS:
    print(f"attnup: unknown command {name!r}.\n\n{_usage()}", file=sys.stderr)
    return 2
  try:
    module = importlib.import_module(COMMANDS[name])
  except ImportError as e:
    print(f"attnup: command {name!r} is not available: {e}", file=sys.stderr)
    return 2
  return int(module.main(rest) or 0)


if __name__ == "__main__":
  sys.exit(main())
