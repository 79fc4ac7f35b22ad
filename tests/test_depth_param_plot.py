"""scripts/depth_param_plot.py: the parameter table and the parameters-vs-RMSE figure."""

import importlib.util
import json
import pathlib

import matplotlib.image
import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "depth_param_plot.py"


@pytest.fixture(scope="module")
def plot():
  spec = importlib.util.spec_from_file_location("depth_param_plot", SCRIPT)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def test_rmse_figure_from_results_json(plot, tmp_path, capsys):
  results = {"bicubic": {"8": 4.66}, "jbu": {"8": 4.2}, "gf": {"8": 4.3},
             "djf": {"8": 4.0}, "sa_m1_f32": {"8": 3.5},
             "bilateral_attention": {"8": 3.0}}
  (tmp_path / "r.json").write_text(json.dumps(results))
  out = tmp_path / "fig.png"
  plot.main(["--factors", "8", "--results", str(tmp_path / "r.json"), "--out", str(out)])
  image = matplotlib.image.imread(out)
  assert image.shape[0] > 300 and image.shape[1] > 300
  table = capsys.readouterr().out
  assert "| SA M1 F32 | 326,273 |" in table      # Table I count, shared CNN_M
  assert "1.91x SA M2 F32" in table
  assert "| Bilateral attention | 869,378 |" in table   # x8 (grows with M)


def test_unknown_model_in_results_is_named(plot, tmp_path):
  (tmp_path / "r.json").write_text(json.dumps({"sa_m9": {"8": 1.0}}))
  with pytest.raises(SystemExit, match="sa_m9"):
    plot.main(["--factors", "8", "--results", str(tmp_path / "r.json"),
               "--out", str(tmp_path / "fig.png")])
