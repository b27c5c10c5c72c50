"""Experiments' tests run on one BLAS thread (NumPy's and torch's).

These tests train many tiny networks; on a loaded 2-core machine OpenBLAS's threads spin
against each other and make each small matrix product ~7x slower (measured: 1.25 s vs
0.17 s for 100 steps of 784-100-10). NumPy is imported before this file, so the thread
count is set through OpenBLAS's own call rather than OPENBLAS_NUM_THREADS.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np
import pytest

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")


def _openblas_set_threads(n: int) -> bool:
    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libs, "*openblas*")):
        lib = ctypes.CDLL(path)
        for name in _SETTERS:
            if hasattr(lib, name):
                getattr(lib, name)(n)
                return True
    return False


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread():
    _openblas_set_threads(1)
    import torch  # augmentation distorts images in torch: same thrashing, same cure

    torch.set_num_threads(1)
    yield
