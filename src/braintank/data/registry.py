"""Where datasets come from: a registry of known datasets and the lookup order for their files.

An explicit `--data-dir` is the only place looked at: used when it holds the dataset, refused
(naming the folder and the missing file) when it does not, never replaced by another copy.
Without one, the lookup order for dataset NAME is `$BRAINTANK_DATA/NAME`, the per-user cache,
then `/usr/share/datasets/NAME` (Debian's dataset packages); if none holds the files,
`download` fetches them into the cache, verifying SHA-256 of the decompressed bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from braintank.errors import BraintankError

SPLITS = ("train", "test")
SYSTEM_DATASETS = Path("/usr/share/datasets")  # where Debian's dataset packages install


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset of 28x28 grey images with labels 0-9, stored as four IDX files."""

    name: str
    files: dict[str, tuple[str, str]]  # split -> (images file stem, labels file stem)
    sha256: dict[str, str]  # decompressed file stem -> SHA-256
    sizes: dict[str, int]  # decompressed file stem -> bytes (no file is read past this)
    mirrors: tuple[str, ...]
    classes: tuple[str, ...]


MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _idx_sizes(files: dict[str, tuple[str, str]], counts: dict[str, int]) -> dict[str, int]:
    """IDX file sizes of N 28x28 uint8 images (16-byte header) and N labels (8-byte header)."""
    sizes = {}
    for split, (images, labels) in files.items():
        sizes[images] = 16 + counts[split] * 28 * 28
        sizes[labels] = 8 + counts[split]
    return sizes


MNIST = DatasetSpec(
    name="mnist",
    files=MNIST_FILES,
    sha256={
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    sizes=_idx_sizes(MNIST_FILES, {"train": 60000, "test": 10000}),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    classes=tuple(str(d) for d in range(10)),
)

FASHION_MNIST = DatasetSpec(
    name="fashion-mnist",
    files=MNIST.files,
    sha256={
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    sizes=_idx_sizes(MNIST_FILES, {"train": 60000, "test": 10000}),
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    classes=(
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
)

DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}

# Other writers' digits, each in its own text format and read by its own module (which
# finds its files in the same folders, `candidate_dirs`, and verifies them by SHA-256);
# they test how a model reads people who are not MNIST's writers and are never trained on.
TEXT_DATASETS = {"optdigits": "braintank.data.optdigits", "mfeat": "braintank.data.mfeat"}

# Every dataset braintank knows, in the words its --dataset help uses.
ABOUT = {"mnist": "MNIST handwritten digits (the default)",
         "fashion-mnist": "Fashion-MNIST clothing, MNIST's format",
         "optdigits": "43 other writers (UCI optdigits; windep is held back for testing)",
         "mfeat": "Dutch writers (UCI mfeat-pix; a development set)"}


def get_spec(name: str) -> DatasetSpec:
    """The spec of an IDX dataset (the ones `load_split` reads and training uses)."""
    try:
        return DATASETS[name]
    except KeyError:
        check_known(name)
        raise BraintankError(f"dataset {name!r} is not in MNIST's format (use "
                             f"{', '.join(sorted(DATASETS))} here)") from None


def check_known(name: str) -> str:
    """`name` when braintank knows such a dataset, else a one-line error listing them all."""
    if name not in ABOUT:
        raise BraintankError(f"unknown dataset {name!r} (known: {', '.join(sorted(ABOUT))})")
    return name


def cache_root() -> Path:
    """The per-user cache folder (XDG_CACHE_HOME respected)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "braintank" / "datasets"


def candidate_dirs(name: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders that may hold dataset `name`, in lookup order; only data_dir's when given."""
    if data_dir is not None:
        data_dir = Path(data_dir)
        # Accept both the dataset folder itself and a folder holding `name/`.
        return [data_dir / name, data_dir]
    dirs: list[Path] = []
    env = os.environ.get("BRAINTANK_DATA")
    if env:
        dirs.append(Path(env) / name)
    dirs.append(cache_root() / name)
    dirs.append(SYSTEM_DATASETS / name)
    return dirs


def find_file(folder: Path, stem: str) -> Path | None:
    """The file for `stem` in `folder`, raw or gzip."""
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def missing_files(name: str, folder: Path) -> list[str]:
    """The stems of dataset `name` that `folder` lacks (raw or gzip)."""
    return [stem for stem in get_spec(name).sha256 if find_file(folder, stem) is None]


def find_complete(name: str, folders: list[Path]) -> Path | None:
    """The first of `folders` holding every file of dataset `name`, or None."""
    for folder in folders:
        if not missing_files(name, folder):
            return folder
    return None


def locate(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The folder holding all of the dataset's files.

    With `data_dir`: that folder (or its `name/` subfolder), else a BraintankError naming the
    folder and the missing files. Without: the first complete folder in lookup order, or None.
    """
    get_spec(name)
    if data_dir is None:
        return find_complete(name, candidate_dirs(name))
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise BraintankError(f"{data_dir}: data folder not found")
    folders = candidate_dirs(name, data_dir)
    folder = find_complete(name, folders)
    if folder is not None:
        return folder
    # name the folder meant to hold the dataset: its own subfolder when there is one
    folder = folders[0] if folders[0].is_dir() else data_dir
    missing = ", ".join(f"{stem}.gz" for stem in missing_files(name, folder))
    raise BraintankError(f"{folder}: dataset {name!r} is incomplete, missing {missing} "
                         f"(an explicit data folder is never replaced by another copy)")


def offline_help(name: str, data_dir: str | os.PathLike | None = None) -> str:
    spec = get_spec(name)
    looked = ", ".join(str(d) for d in candidate_dirs(name, data_dir))
    files = " ".join(f"{stem}.gz" for stem in spec.sha256)
    return (
        f"dataset {name!r} not found (looked in: {looked}) and could not be downloaded; "
        f"put {files} in a folder and pass --data-dir or set BRAINTANK_DATA to its parent"
    )
