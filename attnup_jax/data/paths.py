"""Where the datasets live: argument, then `$ATTNUP_DATA_DIR`, then `../shared/data`."""

from __future__ import annotations

import os
import pathlib

_CANDIDATES = (
    pathlib.Path.cwd() / ".." / "shared" / "data",
    pathlib.Path(__file__).resolve().parents[3] / "shared" / "data",
)


def data_root(data_dir: str | os.PathLike | None = None) -> pathlib.Path:
  """The root data directory; raises FileNotFoundError with the fix if absent."""
  if data_dir is not None:
    root = pathlib.Path(data_dir).expanduser()
    source = "the `data_dir` argument"
  elif os.environ.get("ATTNUP_DATA_DIR"):
    root = pathlib.Path(os.environ["ATTNUP_DATA_DIR"]).expanduser()
    source = "$ATTNUP_DATA_DIR"
  else:
    root = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
    source = "the default ../shared/data"
  if not root.is_dir():
    raise FileNotFoundError(
        f"data directory {str(root)!r} (from {source}) does not exist. Pass "
        f"--data_dir / data_dir=..., or set ATTNUP_DATA_DIR to the folder that "
        f"holds sr/ and depth/.")
  return root.resolve()


def dataset_dir(*parts: str, data_dir=None) -> pathlib.Path:
  """`data_root(data_dir) / parts...`, with a clear error when missing."""
  root = data_root(data_dir)
  path = root.joinpath(*parts)
  if not path.exists():
    raise FileNotFoundError(
        f"{str(path)!r} does not exist under the data root {str(root)!r}; "
        f"expected the layout described in the data README ({'/'.join(parts)}).")
  return path
