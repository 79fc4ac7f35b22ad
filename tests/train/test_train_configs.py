"""Configs parse every table row; schedules give the documented learning rates."""

import numpy as np
import pytest

from configs import common, sr, toy
from train import optim
from train.tasks import get_task


@pytest.mark.parametrize("scale", ["x2", "x4", "x8"])
@pytest.mark.parametrize("upsampler", ["attention", "deconv"])
@pytest.mark.parametrize("train_set", ["t91", "bsds200"])
def test_sr_rows(scale, upsampler, train_set):
  c = sr.get_config(f"{scale}_{upsampler}_{train_set}")
  assert (c.model.scale, c.model.upsampler) == (int(scale[1:]), upsampler)
  assert c.data.train_set.lower() == train_set
  assert (c.batch_size, c.optimizer.learning_rate) == (20, 1e-3)
  assert (c.optimizer.schedule, c.optimizer.plateau_factor) == ("plateau", 0.8)
  assert c.best_metric == "psnr" and c.data.eval_set == "Set5"
  q = sr.get_config(f"{scale}_{upsampler}_{train_set},quick")
  assert q.total_steps <= 10 and q.data.max_images <= 2
  assert get_task(q).best_metric == ("psnr", "max")


def test_tokens_and_errors():
  c = sr.get_config("x4_deconv_bsds200,quick,bf16,fsdp,l1")
  assert (c.model.dtype, c.sharding.params, c.loss) == ("bfloat16", "fsdp", "l1")
  with pytest.raises(ValueError, match="unknown config token 'x3'"):
    sr.get_config("x3_attention_t91")
  assert toy.get_config("quick").total_steps == 10
  assert common.parse_arg("", {"a": ("p", "q")}) == {"a": "p"}


def _lrs(**opt):
  c = toy.get_config()
  c.total_steps = 100
  c.optimizer.update(opt)
  sched = optim.learning_rate_schedule(c)
  return np.array([float(sched(s)) for s in (0, 59, 60, 79, 80, 99)])


def test_schedules():
  np.testing.assert_allclose(_lrs(schedule="constant", learning_rate=1e-3), [1e-3] * 6)
  np.testing.assert_allclose(_lrs(schedule="step", learning_rate=1e-3),
                             [1e-3, 1e-3, 1e-4, 1e-4, 1e-5, 1e-5], rtol=1e-6)
  cos = _lrs(schedule="cosine", learning_rate=1.0)
  np.testing.assert_allclose(cos, 0.5 * (1 + np.cos(np.pi * np.array(
      [0, 59, 60, 79, 80, 99]) / 100)), rtol=0, atol=1e-6)
  with pytest.raises(ValueError, match="schedule"):
    _lrs(schedule="linear")


def test_plateau_scales_after_patience():
  c = toy.get_config()
  c.optimizer.update({"plateau_patience": 2, "plateau_factor": 0.8})
  plateau = optim.make_plateau(c)
  s = plateau.init({})
  scales = []
  for loss in (1.0, 0.5, 0.6, 0.6, 0.7, 0.7, 0.4):
    s = optim.plateau_update(plateau, s, loss)
    scales.append(float(s.scale))
  np.testing.assert_allclose(scales, [1, 1, 1, 0.8, 0.8, 0.64, 0.64], rtol=1e-6)


@pytest.mark.parametrize("arg,name,factor,data", [
    ("sa_m2_f32_x8_rgbdd", "sa_m2_f32", 8, "rgbdd"),
    ("djf_plus_x16_nyu", "djf_plus", 16, "nyu_v2"),
    ("sa_m1_f8_x4,quick", "sa_m1_f8", 4, "rgbdd")])
def test_depth_rows(arg, name, factor, data):
  from configs import depth  # pylint: disable=g-import-not-at-top
  c = depth.get_config(arg)
  assert (c.model.name, c.model.factor, c.data.train_set) == (name, factor, data)
  assert (c.optimizer.schedule, tuple(c.optimizer.step_boundaries)) == ("step", (0.6, 0.8))
  assert get_task(c).best_metric == ("rmse", "min")
