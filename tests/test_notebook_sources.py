"""The notebooks are written as jupytext py:percent sources (`colab/*.py`), the
one place where their code lives; each committed `.ipynb` must hold exactly
the cells of its source, stored without outputs, and install the package the
same pinned way. To rewrite the notebooks from their sources after an edit:

    jupytext --update --to ipynb colab/*.py

(`--update` keeps the cell ids of the existing .ipynb; `jupytext --sync`
would pick whichever file is newer, which after a checkout may be the .ipynb.)
"""

import difflib
import pathlib
import re
import tomllib

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")

ROOT = pathlib.Path(__file__).parents[1]
SOURCES = sorted((ROOT / "colab").glob("*.py"))
FIX = ("edit colab/{name}.py (never the .ipynb), then run "
       "`jupytext --update --to ipynb colab/{name}.py`")


def cells(nb) -> list[tuple[str, str]]:
  return [(c.cell_type, c.source) for c in nb.cells]


def test_every_notebook_has_a_source():
  notebooks = sorted(p.stem for p in (ROOT / "colab").glob("*.ipynb"))
  assert notebooks == [p.stem for p in SOURCES] and len(notebooks) == 3


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_ipynb_matches_its_source(source):
  fix = FIX.format(name=source.stem)
  want = jupytext.read(source)
  assert want.metadata["jupytext"]["formats"] == "ipynb,py:percent", \
      f"{source.name} is not paired with its .ipynb: run " \
      f"`jupytext --set-formats ipynb,py:percent {source.relative_to(ROOT)}`"
  got = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
  if cells(got) != cells(want):
    diff = difflib.unified_diff(
        [f"[{t}] {line}" for t, s in cells(want) for line in s.splitlines()],
        [f"[{t}] {line}" for t, s in cells(got) for line in s.splitlines()],
        f"{source.name} (source)", f"{source.stem}.ipynb (committed)", lineterm="", n=1)
    pytest.fail(f"{source.stem}.ipynb differs from its source; {fix}.\n"
                + "\n".join(list(diff)[:40]))
  assert not [c for c in got.cells if c.cell_type == "code"
              and (c.get("outputs") or c.get("execution_count"))], \
      f"{source.stem}.ipynb is stored with outputs; {fix}."


def install_cell(source) -> str:
  code = [s for t, s in cells(jupytext.read(source)) if t == "code"]
  return next(s for s in code if "google.colab" in s)


def test_the_install_cell_is_shared_and_pinned_to_the_release():
  installs = {install_cell(p) for p in SOURCES}
  assert len(installs) == 1, "the notebooks install the package differently"
  (cell,) = installs
  version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
  ref = re.search(r'^ATTNUP_REF = "([^"]+)"', cell, re.M)
  assert ref and ref.group(1) == f"v{version}", \
      f"ATTNUP_REF must pin the release tag v{version} (pyproject's version)"
  assert re.search(r'^if "google.colab" in sys.modules:\n  subprocess.run\(', cell, re.M), \
      "the install must run on Colab only (tests use the local install)"
  assert '@{ATTNUP_REF}"' in cell
