"""How a training step runs on its device: memory format, precision, compilation, host syncs.

- Convolutional nets run channels-last (NHWC) on the CPU (oneDNN's convolutions) and on CUDA
  (cuDNN's tensor-core kernels), their inputs converted to match.
- precision "bf16" runs the forward pass and the loss under bfloat16 autocast; weights,
  gradients and optimizer state stay float32, so no loss scaling is needed. "auto" is bf16 on
  CUDA and fp32 elsewhere, so CPU runs are exactly what they were.
- compile "model" compiles the network's training forward (and with it the backward) with
  torch.compile; "graphs" uses mode="reduce-overhead", which on CUDA replays forward and
  backward as CUDA graphs. A graph holds one shape, so that mode drops each epoch's last
  partial batch, which changes the run: the config records the mode.
- On CUDA the loop reads loss and accuracy back every `CUDA_SYNC_EVERY` steps instead of every
  step, so the host queues work ahead of the GPU; augmentation draws its random numbers from a
  generator on the GPU, and Adam takes its fused (one kernel) step.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from braintank.errors import BraintankError
from braintank.training.config import TrainConfig

CONV_TYPES = {"small_cnn", "digit_cnn", "fast_cnn", "lite_cnn"}
CHANNELS_LAST_DEVICES = {"cpu", "cuda"}
# Steps between reading the running loss back on CUDA: often enough for the progress bar and
# to stop a diverged run soon, rarely enough that the GPU never waits for the host.
CUDA_SYNC_EVERY = 50


def resolve_precision(precision: str, device: torch.device) -> str:
    """fp32 or bf16: "auto" is bf16 on CUDA (tensor cores) and fp32 elsewhere."""
    if precision == "auto":
        return "bf16" if device.type == "cuda" else "fp32"
    return precision


@dataclass(frozen=True)
class Accelerator:
    """The device-specific choices of one run (none of them changes a CPU fp32 run)."""

    device: torch.device
    precision: str  # fp32 or bf16
    channels_last: bool
    compile: str  # none, model or graphs
    sync_every: int  # steps between host reads of the running loss

    @classmethod
    def for_run(cls, cfg: TrainConfig, device: torch.device) -> Accelerator:
        if cfg.compile != "none":
            check_compiler(device)
        return cls(device=device, precision=resolve_precision(cfg.precision, device),
                   channels_last=cfg.arch.get("type") in CONV_TYPES
                   and device.type in CHANNELS_LAST_DEVICES,
                   compile=cfg.compile,
                   sync_every=CUDA_SYNC_EVERY if device.type == "cuda" else 1)

    @property
    def static_shapes(self) -> bool:
        """Whether every training batch must have one shape (CUDA graphs replay one)."""
        return self.compile == "graphs"

    @property
    def fused_optimizer(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.precision == "bf16":
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def memory_format(self, x: torch.Tensor) -> torch.Tensor:
        """x in the layout the model trains in (channels-last for conv nets)."""
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def prepare_model(self, model: nn.Module) -> nn.Module:
        """The model in its training memory format (converted in place: same parameters)."""
        if self.channels_last:
            model = model.to(memory_format=torch.channels_last)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True  # fixed batch shapes: autotune once
        return model

    def training_forward(self, model: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
        """What the training step calls: the model, or a compiled view of the same module
        (its state dict, checkpoints and evaluation stay those of the eager model)."""
        if self.compile == "none":
            return model
        mode = "reduce-overhead" if self.compile == "graphs" else None
        # dynamic=False: a new shape (an evaluation batch) gets its own static graph
        return torch.compile(model, mode=mode, dynamic=False)

    def step_begins(self) -> None:
        """Tell CUDA-graph trees that a new training step starts (outputs of the last one are
        no longer read)."""
        if self.compile == "graphs" and self.device.type == "cuda":
            torch.compiler.cudagraph_mark_step_begin()

    def augment_generator(self, seed: int) -> torch.Generator:
        """The augmentation's random numbers, drawn where the batches live on CUDA (a CPU
        generator would send every draw across the bus and make the host wait)."""
        where = self.device if self.device.type == "cuda" else torch.device("cpu")
        return torch.Generator(device=where).manual_seed(seed)


def check_compiler(device: torch.device) -> None:
    """torch.compile's inductor builds C++ on the CPU and Triton kernels on CUDA."""
    if device.type == "cuda":
        if importlib.util.find_spec("triton") is None:
            raise BraintankError("--compile on CUDA needs triton (pip install triton)")
    elif device.type == "cpu":
        compilers = [os.environ.get("CXX", ""), "g++", "clang++", "c++"]
        if not any(name and shutil.which(name) for name in compilers):
            raise BraintankError("--compile on the CPU needs a C++ compiler (g++ or clang++; "
                                 "none found on PATH)")
    else:
        raise BraintankError(f"--compile is supported on cpu and cuda, not {device.type}")
