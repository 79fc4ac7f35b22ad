"""TensorFlow-free TFDS builders for the SR image sets (ArrayRecord files).

Each builder reads a local folder of images (the manual directory) and writes
ArrayRecord shards that `tfds.data_source(...)` / `builder.as_data_source()` read
back without TensorFlow. Features (all NumPy):

- `image`: uint8 `[H, W, 3]` (greyscale replicated to three channels),
- `channels`: int32, 1 for a greyscale original (e.g. Set14 `bridge`), else 3,
- `name`: the file stem, as bytes.

Registered names: `attnup_sr_t91`, `attnup_sr_bsds200`, `attnup_sr_general100`
(split `train`), `attnup_sr_set5`, `attnup_sr_set14`, `attnup_sr_bsds100` (split
`test`). Examples keep the sorted file order (`disable_shuffling`). Usage:

  b = builder("Set5", data_dir="/tmp/tfds")  # file_format="array_record"
  b.download_and_prepare(download_config=tfds.download.DownloadConfig(
      manual_dir="../shared/data"))
  source = tfds.data_source("attnup_sr_set5", data_dir="/tmp/tfds", split="test")
  name, image = read_example(source[0])

`manual_dir` may be the image folder itself, a folder holding it (`<dir>/Set5`),
or the data root (`<dir>/sr/Set5`); without one, the project data directory
(`$ATTNUP_DATA_DIR`, `../shared/data`) is used.
"""

from __future__ import annotations

import inspect
import pathlib

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from attnup_jax.data import paths
from attnup_jax.data.sr import io

class _SRImageFolder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
  """One folder of HR images, one split (`train` or `test`)."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Images from a local folder, uint8 Tensor features."}
  FOLDER: str = ""
  SPLIT: str = "test"
  HOMEPAGE: str = ""
  DOWNLOAD_URLS: tuple[str, ...] = ()
  CITATION: str = ""
  DESCRIPTION: str = ""

  @classmethod
  def _manual_instructions(cls) -> str:
    urls = "\n".join(f"  {u}" for u in cls.DOWNLOAD_URLS)
    return (f"Put the {cls.FOLDER} images (PNG/BMP/JPEG) in a folder named "
            f"`{cls.FOLDER}` under the manual dir (or `sr/{cls.FOLDER}`, or pass "
            f"the folder itself). Sources:\n{urls}")

  @tfds.core.utils.classproperty
  @classmethod
  def code_path(cls) -> epath.Path:
    # TFDS's default resolves the package through `importlib_resources`, which
    # is not a dependency here (tfds 4.9.10 imports it lazily and fails).
    return epath.Path(inspect.getfile(cls))

  def __init_subclass__(cls, **kwargs):
    super().__init_subclass__(**kwargs)
    cls.MANUAL_DOWNLOAD_INSTRUCTIONS = cls._manual_instructions()

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self,
        description=self.DESCRIPTION,
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(None, None, 3), dtype=np.uint8,
                                          encoding=tfds.features.Encoding.ZLIB),
            "channels": tfds.features.Scalar(dtype=np.int32),
            "name": tfds.features.Text(),
        }),
        homepage=self.HOMEPAGE,
        citation=self.CITATION,
        disable_shuffling=True,
        metadata=tfds.core.MetadataDict(download_urls=list(self.DOWNLOAD_URLS)),
    )

  def _image_dir(self, dl_manager) -> pathlib.Path:
    try:
      manual = pathlib.Path(dl_manager.manual_dir)
    except (AssertionError, ValueError, FileNotFoundError):
      manual = None  # no manual dir given or it is empty
    if manual is not None:
      for cand in (manual / "sr" / self.FOLDER, manual / self.FOLDER, manual):
        if cand.is_dir() and io.list_images(cand):
          return cand
    return paths.dataset_dir("sr", self.FOLDER)

  def _split_generators(self, dl_manager):
    return {self.SPLIT: self._generate_examples(self._image_dir(dl_manager))}

  def _generate_examples(self, image_dir: pathlib.Path):
    for path in io.list_images(image_dir):
      img = io.load_image_uint8(path)
      channels = img.shape[-1]
      if channels == 1:
        img = np.repeat(img, 3, axis=-1)
      yield path.stem, {"image": img, "channels": np.int32(channels),
                        "name": path.stem}


_BSDS_CITE = """@inproceedings{martin2001bsds,
  title={A Database of Human Segmented Natural Images and its Application to
         Evaluating Segmentation Algorithms and Measuring Ecological Statistics},
  author={Martin, D. and Fowlkes, C. and Tal, D. and Malik, J.},
  booktitle={ICCV}, year={2001}}"""
_BSDS_HOME = "https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/bsds/"
_DCSCN = "https://github.com/jiny2001/dcscn-super-resolution"
_DENOISING = "https://github.com/majedelhelou/denoising_datasets"


class AttnupSrT91(_SRImageFolder):
  """Yang et al.'s 91 training images (BMP)."""
  FOLDER, SPLIT = "T91", "train"
  DESCRIPTION = "T91: the 91 training images of Yang et al. (sparse-coding SR)."
  HOMEPAGE = "http://www.ifp.illinois.edu/~jyang29/ScSR.htm"
  DOWNLOAD_URLS = (HOMEPAGE, _DCSCN)
  CITATION = """@article{yang2010image,
  title={Image Super-Resolution via Sparse Representation},
  author={Yang, Jianchao and Wright, John and Huang, Thomas S. and Ma, Yi},
  journal={IEEE Transactions on Image Processing}, year={2010}}"""


class AttnupSrBsds200(_SRImageFolder):
  """BSDS300 train split (200 images, 481x321)."""
  FOLDER, SPLIT = "BSDS200", "train"
  DESCRIPTION = "BSDS200: the 200 training images of BSDS300."
  HOMEPAGE = _BSDS_HOME
  DOWNLOAD_URLS = (_BSDS_HOME, f"{_DCSCN}/tree/master/data/bsd200")
  CITATION = _BSDS_CITE


class AttnupSrGeneral100(_SRImageFolder):
  """Dong et al.'s General-100 training set (FSRCNN)."""
  FOLDER, SPLIT = "General100", "train"
  DESCRIPTION = "General-100: 100 training images of FSRCNN (Dong et al. 2016)."
  HOMEPAGE = "http://mmlab.ie.cuhk.edu.hk/projects/FSRCNN.html"
  DOWNLOAD_URLS = (HOMEPAGE,)
  CITATION = """@inproceedings{dong2016accelerating,
  title={Accelerating the Super-Resolution Convolutional Neural Network},
  author={Dong, Chao and Loy, Chen Change and Tang, Xiaoou},
  booktitle={ECCV}, year={2016}}"""


class AttnupSrSet5(_SRImageFolder):
  """Bevilacqua et al.'s Set5 test images."""
  FOLDER = "Set5"
  DESCRIPTION = "Set5: five test images (Bevilacqua et al., BMVC 2012)."
  HOMEPAGE = "https://people.rennes.inria.fr/Aline.Roumy/results/SR_BMVC12.html"
  DOWNLOAD_URLS = (HOMEPAGE, _DENOISING)
  CITATION = """@inproceedings{bevilacqua2012low,
  title={Low-Complexity Single-Image Super-Resolution based on Nonnegative
         Neighbor Embedding},
  author={Bevilacqua, Marco and Roumy, Aline and Guillemot, Christine and
          Alberi-Morel, Marie-Line},
  booktitle={BMVC}, year={2012}}"""


class AttnupSrSet14(_SRImageFolder):
  """Zeyde et al.'s Set14 test images (`bridge` is greyscale)."""
  FOLDER = "Set14"
  DESCRIPTION = "Set14: fourteen test images (Zeyde et al. 2010)."
  HOMEPAGE = "https://sites.google.com/site/romanzeyde/research-interests"
  DOWNLOAD_URLS = (HOMEPAGE, f"{_DENOISING}/tree/master/Set14")
  CITATION = """@inproceedings{zeyde2010single,
  title={On Single Image Scale-Up Using Sparse-Representations},
  author={Zeyde, Roman and Elad, Michael and Protter, Matan},
  booktitle={Curves and Surfaces}, year={2010}}"""


class AttnupSrBsds100(_SRImageFolder):
  """BSDS300 test split (100 images, 480x320 as distributed for SR)."""
  FOLDER = "BSDS100"
  DESCRIPTION = "BSDS100: the 100 test images of BSDS300 (img_001..img_100)."
  HOMEPAGE = _BSDS_HOME
  DOWNLOAD_URLS = (_BSDS_HOME, f"{_DCSCN}/tree/master/data/bsd100")
  CITATION = _BSDS_CITE


BUILDERS = {cls.FOLDER: cls for cls in (
    AttnupSrT91, AttnupSrBsds200, AttnupSrGeneral100, AttnupSrSet5, AttnupSrSet14,
    AttnupSrBsds100)}


def builder(folder: str, data_dir: str, **kwargs) -> tfds.core.DatasetBuilder:
  """The builder of a folder name (`'T91'`, `'Set5'`, ...) writing ArrayRecord
  files under `data_dir` (the TFDS data dir, not the image folder)."""
  if folder not in BUILDERS:
    raise ValueError(f"unknown SR dataset {folder!r}; choose from {sorted(BUILDERS)}.")
  return BUILDERS[folder](data_dir=data_dir, file_format="array_record", **kwargs)


def read_example(example: dict) -> tuple[str, np.ndarray]:
  """A data-source record -> (name, uint8 `[H, W, C]` with C = 1 for greyscale)."""
  image = np.asarray(example["image"])
  if int(example["channels"]) == 1:
    image = image[..., :1]
  name = example["name"]
  return (name.decode() if isinstance(name, bytes) else str(name)), image
