"""The large buffers of a compiled XLA:CPU program's temporaries, by offset.

XLA:CPU puts all of a program's temporaries into one preallocated block (its
`temp_size_in_bytes`); values at overlapping offsets are never live at the
same time. Listing the large ones by offset shows what makes up a peak:

    XLA_FLAGS="--xla_dump_to=/tmp/xd --xla_dump_hlo_as_text" python benchmarks/layer.py \
        --memory-only --settings "SR (paper)" --dtypes bfloat16 --only "attention (fast)"
    python benchmarks/buffers.py /tmp/xd/*jit_loss*after_optimizations-buffer-assignment.txt

Not a test: reads the text of XLA's buffer-assignment dump.
"""

from __future__ import annotations

import argparse
import re

VALUE = re.compile(r"value: <\d+ (\S+) @\d+> \(size=(\d+),offset=(\d+)\): (\S+)")


def temp_values(text: str) -> tuple[int, list[tuple[int, int, str, str]]]:
  """(block size, [(offset, size, instruction, shape)]) of the temporaries'
  block (`preallocated-temp`), in bytes, sorted by offset."""
  block = re.search(r"^allocation \d+: size (\d+), preallocated-temp:\n(.*?)(?=^allocation|\Z)",
                    text, re.M | re.S)
  if block is None:
    raise ValueError("no `preallocated-temp` allocation in this file: pass a "
                     "`*after_optimizations-buffer-assignment.txt` of XLA:CPU.")
  values = {(int(off), int(size), name, shape)
            for name, size, off, shape in VALUE.findall(block.group(2))}
  return int(block.group(1)), sorted(values)


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("path", help="an XLA:CPU *after_optimizations-buffer-assignment.txt")
  p.add_argument("--min-mib", type=float, default=4.0, help="list values at least this large")
  args = p.parse_args(argv)
  with open(args.path) as f:
    total, values = temp_values(f.read())
  print(f"temporaries: {total / 2**20:.1f} MiB\n| offset (MiB) | size (MiB) | value | shape |"
        "\n|---:|---:|---|---|")
  for off, size, name, shape in values:
    if size >= args.min_mib * 2**20:
      print(f"| {off / 2**20:.1f} | {size / 2**20:.1f} | {name} | `{shape}` |")


if __name__ == "__main__":
  main()
