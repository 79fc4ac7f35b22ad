"""Downloads the public test sets into a data root, checking every file's SHA-256.

    >>> from attnup_jax.data import download
    >>> root = download.download("set14", "~/attnup_data")      # doctest: +SKIP
    >>> evaluate_sr(model, "set14", 2, data_dir=root)            # doctest: +SKIP

or `python -m attnup_jax.data.download set14 bsds100 --dest ~/attnup_data`.
The files land in the layout `attnup_jax.data.paths` expects (`sr/Set14/...`),
so `--data_dir` / `$ATTNUP_DATA_DIR` can point at `dest` afterwards.

Each set is a list of files at a pinned commit of a public repository that
redistributes it (`TEST_SETS`); `test_sets.sha256` beside this file holds one
SHA-256 per file. Those sums were computed on the copies in the project's
offline data folder, which were copied unmodified from the same repositories;
they have not been checked against the URLs from a machine with internet (none
was available), so a mismatch there means either a changed upstream file or a
wrong entry here: the error names the file, both sums and the URL.

A file already present with the right sum is never downloaded again or
touched; one present with a wrong sum is never overwritten (ValueError: move it
away first). Downloads go to `<file>.part`, are resumed from there with an HTTP
Range request when the server supports it (else restarted), and replace the
target only once the sum matches; a mismatching `.part` is deleted.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import pathlib
import sys
import urllib.error
import urllib.request

MANIFEST = pathlib.Path(__file__).with_name("test_sets.sha256")
_CHUNK = 1 << 16


@dataclasses.dataclass(frozen=True)
class RemoteSet:
  """One downloadable set.

  Attributes:
    name: key for `download`.
    folder: where its files go under the data root, e.g. 'sr/Set14'.
    base_url: URL of the folder holding the files (a pinned commit).
    reference: the dataset's paper, to cite.
  """
  name: str
  folder: str
  base_url: str
  reference: str


def _raw(repo: str, commit: str, path: str) -> str:
  return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_DENOISING = ("majedelhelou/denoising_datasets", "d3636716c8e3fb806f4395bbb3f2e4c0fde50700")
_DCSCN = ("jiny2001/dcscn-super-resolution", "27d8f11cd8b5d58de0b91128b4b6c72375c69e16")
_DCTNET = ("Zhaozixiang1228/GDSR-DCTNet", "0da8af94044208e0efc4c7a93a2d6a07551b8e68")

TEST_SETS = {s.name: s for s in (
    RemoteSet("set5", "sr/Set5", _raw(*_DENOISING, "Set5"),
            "Bevilacqua et al., BMVC 2012"),
    RemoteSet("set14", "sr/Set14", _raw(*_DENOISING, "Set14"),
            "Zeyde et al., Curves and Surfaces 2010"),
    RemoteSet("bsds100", "sr/BSDS100", _raw(*_DCSCN, "data/bsd100"),
            "Martin et al., ICCV 2001 (BSDS300 test split, as img_001..img_100)"),
    RemoteSet("rgbdd", "depth/RGBDD", _raw(*_DCTNET, "RawDatasets/RGBDD"),
            "He et al., CVPR 2021 (RGB-D-D: the 405 pairs of its test set)"),
)}


def files(name: str) -> dict[str, str]:
  """`{path under the data root: sha256}` of one set, from `test_sets.sha256`."""
  test_set = _get(name)
  prefix = test_set.folder + "/"
  out = {}
  for line in MANIFEST.read_text().splitlines():
    digest, path = line.split(maxsplit=1)
    if path.startswith(prefix):
      out[path] = digest
  return out


def _get(name: str) -> RemoteSet:
  if name not in TEST_SETS:
    raise ValueError(f"unknown test set {name!r}; choose from {sorted(TEST_SETS)}.")
  return TEST_SETS[name]


def sha256(path: str | os.PathLike) -> str:
  h = hashlib.sha256()
  with open(path, "rb") as f:
    for chunk in iter(lambda: f.read(_CHUNK), b""):
      h.update(chunk)
  return h.hexdigest()


def url_of(name: str, path: str, mirror: str | None = None) -> str:
  """The URL of `path` (as in `files(name)`): under the set's `base_url`, or
  `mirror/path` for a server holding the data root's layout."""
  test_set = _get(name)
  if mirror is not None:
    return f"{mirror.rstrip('/')}/{path}"
  return f"{test_set.base_url}/{path[len(test_set.folder) + 1:]}"


def fetch(url: str, target: pathlib.Path, digest: str, timeout: float = 60.0) -> None:
  """Downloads `url` to `target` through `target.part` (resumed when the
  server honours Range), checks the SHA-256, then renames; ValueError on a
  mismatch (the `.part` is deleted), OSError for network errors."""
  part = target.with_name(target.name + ".part")
  have = part.stat().st_size if part.exists() else 0
  request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
  try:
    response = urllib.request.urlopen(request, timeout=timeout)
  except urllib.error.HTTPError as e:
    if e.code != 416:            # 416: the .part is already complete (or too long)
      raise OSError(f"cannot download {url}: HTTP {e.code} {e.reason}") from e
    response = None
  if response is not None:
    with response:
      mode = "ab" if response.status == 206 else "wb"   # 200: the server restarted
      with open(part, mode) as f:
        for chunk in iter(lambda: response.read(_CHUNK), b""):
          f.write(chunk)
  got = sha256(part)
  if got != digest:
    part.unlink()
    raise ValueError(f"checksum mismatch for {target.name} from {url}: expected "
                     f"sha256 {digest}, got {got}. The partial file was deleted; "
                     f"if the upstream file changed, this table needs updating.")
  os.replace(part, target)


def download(name: str, dest: str | os.PathLike, *, mirror: str | None = None,
             progress: bool = True) -> pathlib.Path:
  """Downloads one test set (`TEST_SETS`) under the data root `dest`.

  Args:
    name: 'set5', 'set14', 'bsds100' or 'rgbdd'.
    dest: the data root; files go to `dest/<folder>/...` (created).
    mirror: base URL of a server with the data root's layout, instead of the
      public sources (tests use a local one).
    progress: print one line per set.

  Returns:
    `dest` as an absolute path: pass it as `data_dir`.

  Raises:
    ValueError: unknown name, a checksum mismatch, or an existing file with a
      wrong checksum (never overwritten).
    OSError: the download failed.
  """
  root = pathlib.Path(dest).expanduser().resolve()
  wanted = files(name)
  fetched = 0
  for path, digest in wanted.items():
    target = root / path
    if target.exists():
      if sha256(target) == digest:
        continue
      raise ValueError(f"{str(target)!r} exists with a different checksum than "
                       f"{name!r}'s file (expected sha256 {digest}); it is not "
                       f"overwritten: move it away, then download again.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fetch(url_of(name, path, mirror), target, digest)
    fetched += 1
  if progress:
    print(f"{name}: {len(wanted)} files in {root / _get(name).folder} "
          f"({fetched} downloaded, {len(wanted) - fetched} already there)")
  return root


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog="python -m attnup_jax.data.download",
                              description=__doc__.split("\n\n")[0])
  p.add_argument("names", nargs="+", help=f"test sets: {', '.join(TEST_SETS)}")
  p.add_argument("--dest", required=True, help="data root to download into")
  p.add_argument("--mirror", default=None, help="base URL with the data root's layout")
  args = p.parse_args(argv)
  try:
    for name in args.names:
      download(name, args.dest, mirror=args.mirror)
  except (ValueError, OSError) as e:
    print(f"download: {e}", file=sys.stderr)
    return 2
  return 0


if __name__ == "__main__":
  sys.exit(main())
