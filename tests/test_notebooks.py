"""Every `colab/*.ipynb` runs headless, top to bottom, in QUICK mode
(`ATTNUP_QUICK=1`), without errors, and draws its figures."""

import os
import pathlib
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[1] / "colab").glob("*.ipynb"))


def test_notebooks_found():
  assert NOTEBOOKS, "no notebooks in colab/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
  nb = nbformat.read(path, as_version=4)
  nbformat.validate(nb)
  # The kernel inherits this environment: QUICK mode, CPU, one device, and the
  # interpreter running the tests (jupyter_client maps the kernel spec's
  # `python` to sys.executable).
  monkeypatch.setenv("ATTNUP_QUICK", "1")
  monkeypatch.setenv("JAX_PLATFORMS", os.environ.get("JAX_PLATFORMS", "cpu"))
  monkeypatch.setenv("XLA_FLAGS", "")
  monkeypatch.setenv("MPLBACKEND", "Agg")
  monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
  client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                   resources={"metadata": {"path": str(path.parent)}})
  client.execute()   # raises CellExecutionError with the failing cell's traceback
  outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
  assert not [o for o in outputs if o.get("output_type") == "error"]
  images = [o for o in outputs if "image/png" in o.get("data", {})]
  assert images, "the notebook drew no figures"
