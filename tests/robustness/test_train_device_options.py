"""`braintank train` device options (issue 14, item 3): a bad --precision or --compile, or
--device cuda without a GPU, is a one-line error before any run folder is made."""

from __future__ import annotations

import pytest
import torch

from .cli_errors import one_line_error


@pytest.mark.parametrize("flag, value, fragment", [
    ("--precision", "fp16", "unknown precision 'fp16' (known: auto, fp32, bf16)"),
    ("--precision", "", "unknown precision ''"),
    ("--compile", "fast", "unknown compile mode 'fast' (known: none, model, graphs)"),
])
def test_bad_precision_or_compile_mode_is_refused(capsys, tmp_path, flag, value, fragment):
    line = one_line_error(capsys, ["train", "--model", "mlp-50", flag, value,
                                   "--out", str(tmp_path / "run")])
    assert fragment in line
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_refused(capsys, tmp_path):
    line = one_line_error(capsys, ["train", "--model", "cnn", "--device", "cuda",
                                   "--precision", "bf16", "--compile", "graphs",
                                   "--out", str(tmp_path / "run")])
    assert line == "braintank: error: --device cuda requested but no CUDA GPU is available"
    assert not (tmp_path / "run").exists()
