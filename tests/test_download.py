"""`attnup_jax.data.download` against a local HTTP server (no internet needed):
the bundled Set5 files served from a temporary directory are the real files
of the download table, so their checksums are the table's."""

import contextlib
import functools
import http.server
import os
import shutil
import threading

import pytest

from attnup_jax import samples
from attnup_jax.data import download


class _Quiet(http.server.SimpleHTTPRequestHandler):
  """Serves a directory (no Range support: always 200), recording requests."""
  requests: list

  def log_message(self, *args):
    pass

  def send_head(self):
    self.requests.append((self.path, self.headers.get("Range")))
    return super().send_head()


class _Ranged(_Quiet):
  """Also honours `Range: bytes=N-` (206, or 416 past the end)."""

  def do_GET(self):
    header = self.headers.get("Range")
    if not header:
      return super().do_GET()
    self.requests.append((self.path, header))
    path = self.translate_path(self.path)
    data = open(path, "rb").read()
    start = int(header.split("=")[1].rstrip("-"))
    if start >= len(data):
      self.send_error(416)
      return None
    self.send_response(206)
    self.send_header("Content-Length", str(len(data) - start))
    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
    self.end_headers()
    self.wfile.write(data[start:])
    return None


@contextlib.contextmanager
def serve(directory, handler=_Quiet):
  requests = []
  cls = type("Handler", (handler,), {"requests": requests})
  server = http.server.ThreadingHTTPServer(
      ("127.0.0.1", 0), functools.partial(cls, directory=str(directory)))
  thread = threading.Thread(target=server.serve_forever, daemon=True)
  thread.start()
  try:
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
  finally:
    server.shutdown()
    server.server_close()


@pytest.fixture
def mirror(tmp_path):
  """A served data root holding Set5 (copied from the package's samples)."""
  root = tmp_path / "server"
  shutil.copytree(samples.DATA_DIR / "sr" / "Set5", root / "sr" / "Set5")
  return root


def test_table_covers_the_sets():
  counts = {name: len(download.files(name)) for name in download.TEST_SETS}
  assert counts == {"set5": 5, "set14": 14, "bsds100": 100, "rgbdd": 810}
  assert download.url_of("set14", "sr/Set14/zebra.png").endswith(
      "/majedelhelou/denoising_datasets/d3636716c8e3fb806f4395bbb3f2e4c0fde50700/"
      "Set14/zebra.png")
  assert download.url_of("rgbdd", "depth/RGBDD/RGB/x_RGB.jpg", "http://h/d/") == \
      "http://h/d/depth/RGBDD/RGB/x_RGB.jpg"


def test_download_then_nothing_to_do(mirror, tmp_path, capsys):
  dest = tmp_path / "data"
  with serve(mirror) as (url, requests):
    root = download.download("set5", dest, mirror=url)
    assert root == dest.resolve()
    assert len(requests) == 5
    for path, digest in download.files("set5").items():
      assert (root / path).read_bytes() == (mirror / path).read_bytes()
      assert download.sha256(root / path) == digest
    assert not list(root.rglob("*.part"))
    mtimes = {p: p.stat().st_mtime_ns for p in root.rglob("*.png")}
    assert download.main(["set5", "--dest", str(dest), "--mirror", url]) == 0
    assert len(requests) == 5, "good files were downloaded again"
    assert mtimes == {p: p.stat().st_mtime_ns for p in root.rglob("*.png")}
  out = capsys.readouterr().out
  assert "5 downloaded, 0 already there" in out and "0 downloaded, 5 already there" in out
  from attnup_jax.data.sr.pipeline import load_hr_images
  names, images = load_hr_images("set5", data_dir=root)
  assert names == list(samples.SET5_NAMES) and images[0].shape == (512, 512, 3)


def test_existing_wrong_file_is_never_overwritten(mirror, tmp_path):
  target = tmp_path / "data" / "sr" / "Set5" / "bird.png"
  target.parent.mkdir(parents=True)
  target.write_bytes(b"my own bird")
  with serve(mirror) as (url, _):
    with pytest.raises(ValueError, match="bird.png.*not overwritten"):
      download.download("set5", tmp_path / "data", mirror=url)
  assert target.read_bytes() == b"my own bird"


def test_checksum_mismatch_raises_and_cleans_up(mirror, tmp_path):
  (mirror / "sr" / "Set5" / "baby.png").write_bytes(b"not the baby")
  target = tmp_path / "data" / "sr" / "Set5" / "baby.png"
  with serve(mirror) as (url, _):
    with pytest.raises(ValueError, match="checksum mismatch for baby.png"):
      download.download("set5", tmp_path / "data", mirror=url)
  assert not target.exists()
  assert not target.with_name("baby.png.part").exists()


@pytest.mark.parametrize("handler, resumed", [(_Ranged, True), (_Quiet, False)])
def test_partial_download_is_resumed_or_restarted(mirror, tmp_path, handler, resumed):
  path = "sr/Set5/head.png"
  data = (mirror / path).read_bytes()
  target = tmp_path / "data" / path
  target.parent.mkdir(parents=True)
  part = target.with_name("head.png.part")
  part.write_bytes(data[:1000])
  with serve(mirror, handler) as (url, requests):
    download.fetch(f"{url}/{path}", target, download.files("set5")[path])
  assert target.read_bytes() == data and not part.exists()
  assert requests == [(f"/{path}", "bytes=1000-")]
  if resumed:   # a complete .part: the server answers 416, the sum decides
    part.write_bytes(data)
    target.unlink()
    with serve(mirror, handler) as (url, _):
      download.fetch(f"{url}/{path}", target, download.files("set5")[path])
    assert target.read_bytes() == data


def test_errors_name_the_problem(mirror, tmp_path):
  with pytest.raises(ValueError, match="unknown test set 'set6'"):
    download.download("set6", tmp_path)
  os.remove(mirror / "sr" / "Set5" / "woman.png")
  with serve(mirror) as (url, _):
    with pytest.raises(OSError, match="woman.png: HTTP 404"):
      download.download("set5", tmp_path / "data", mirror=url)
    assert download.main(["set5", "--dest", str(tmp_path / "d2"), "--mirror", url]) == 2
