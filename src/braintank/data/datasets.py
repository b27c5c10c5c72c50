"""Load a dataset split as uint8 images [N, 28, 28] and int64 labels [N], verified."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from braintank.data.download import download, sha256_hex
from braintank.data.idx import parse_idx, read_raw_bytes
from braintank.data.registry import SPLITS, find_file, get_spec, locate, offline_help
from braintank.errors import BraintankError


def resolve_dir(name: str, data_dir: str | os.PathLike | None = None,
                allow_download: bool = True) -> Path:
    """The folder holding dataset `name`, downloading it into the cache when absent.

    An explicit `data_dir` is used or refused (see `registry.locate`), never downloaded to.
    """
    folder = locate(name, data_dir)
    if folder is not None:
        return folder
    if not allow_download:
        raise BraintankError(offline_help(name, data_dir))
    return download(name)


def _read_verified(folder: Path, stem: str, expected: str, size: int) -> np.ndarray:
    path = find_file(folder, stem)
    if path is None:
        raise BraintankError(f"{folder / stem}: file not found")
    raw = read_raw_bytes(path, max_size=size)
    if sha256_hex(raw) != expected:
        raise BraintankError(
            f"{path}: SHA-256 mismatch (file is corrupt or not the published dataset)"
        )
    return parse_idx(raw, str(path))


@functools.lru_cache(maxsize=8)
def _load_cached(name: str, split: str, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    spec = get_spec(name)
    image_stem, label_stem = spec.files[split]
    images = _read_verified(folder, image_stem, spec.sha256[image_stem], spec.sizes[image_stem])
    labels = _read_verified(folder, label_stem, spec.sha256[label_stem], spec.sizes[label_stem])
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.ndim != 1:
        raise BraintankError(f"{folder}: {name} {split} files have shapes "
                             f"{images.shape} and {labels.shape}, expected [N,28,28] and [N]")
    if len(images) != len(labels):
        raise BraintankError(f"{folder}: {name} {split} has {len(images)} images "
                             f"but {len(labels)} labels")
    images.setflags(write=False)
    labels = labels.astype(np.int64)
    labels.setflags(write=False)
    return images, labels


def load_split(name: str, split: str, data_dir: str | os.PathLike | None = None,
               allow_download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N,28,28], labels int64 [N]) of `split` ('train' or 'test'); read-only."""
    if split not in SPLITS:
        raise BraintankError(f"unknown split {split!r} (known: {', '.join(SPLITS)})")
    folder = resolve_dir(name, data_dir, allow_download)
    return _load_cached(name, split, folder.resolve())
