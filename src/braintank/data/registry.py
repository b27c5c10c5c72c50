"""Where datasets come from: a registry of known datasets and the lookup order for their files.

Lookup order for dataset NAME: `--data-dir`, then `$BRAINTANK_DATA/NAME`, then the per-user
cache, then `/usr/share/datasets/NAME` (Debian's dataset packages). If none holds the files,
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
    mirrors: tuple[str, ...]
    classes: tuple[str, ...]


MNIST = DatasetSpec(
    name="mnist",
    files={
        "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    },
    sha256={
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
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
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    classes=(
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
)

DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}


def get_spec(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise BraintankError(f"unknown dataset {name!r} (known: {known})") from None


def cache_root() -> Path:
    """The per-user cache folder (XDG_CACHE_HOME respected)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "braintank" / "datasets"


def candidate_dirs(name: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders that may hold dataset `name`, in lookup order."""
    dirs: list[Path] = []
    if data_dir is not None:
        data_dir = Path(data_dir)
        # Accept both the dataset folder itself and a folder holding `name/`.
        dirs += [data_dir / name, data_dir]
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


def locate(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first folder in lookup order that holds all of the dataset's files, or None."""
    spec = get_spec(name)
    for folder in candidate_dirs(name, data_dir):
        if all(find_file(folder, stem) for stem in spec.sha256):
            return folder
    return None


def offline_help(name: str, data_dir: str | os.PathLike | None = None) -> str:
    spec = get_spec(name)
    looked = ", ".join(str(d) for d in candidate_dirs(name, data_dir))
    files = " ".join(f"{stem}.gz" for stem in spec.sha256)
    return (
        f"dataset {name!r} not found (looked in: {looked}) and could not be downloaded; "
        f"put {files} in a folder and pass --data-dir or set BRAINTANK_DATA to its parent"
    )
