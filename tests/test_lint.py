"""`ruff check` (rules in pyproject.toml: syntax errors and pyflakes) over the
package, the programs, the tests and the notebooks' sources."""

import subprocess
import sys
import pathlib

import pytest

pytest.importorskip("ruff")

ROOT = pathlib.Path(__file__).parents[1]
PATHS = ["attnup_jax", "train", "configs", "benchmarks", "scripts", "tests", "colab"]


def ruff(*args, cwd=ROOT):
  return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args],
                        cwd=cwd, capture_output=True, text=True, timeout=120)


def test_code_is_clean():
  result = ruff(*PATHS)
  assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_catch_an_unused_import_and_an_undefined_name(tmp_path):
  (tmp_path / "bad.py").write_text("import os\nprint(undefined_name)\n")
  result = ruff("--config", str(ROOT / "pyproject.toml"), "bad.py", cwd=tmp_path)
  assert result.returncode == 1
  assert "F401" in result.stdout and "F821" in result.stdout
