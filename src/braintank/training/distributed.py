"""Data-parallel training with PyTorch's DistributedDataParallel: gloo on the CPU, NCCL on GPUs.

N processes (ranks) hold the same model. Every epoch all of them draw the same shuffled order
(one shared, checkpointed generator); for each global mini-batch of B images, rank r takes
the positions r, r + N, r + 2N, ... (B/N images). DDP averages the gradients over the ranks,
so a step uses the mean gradient of the whole global batch, as one process would. Only rank 0
writes the run folder and prints; validation runs on rank 0 and its result is broadcast, so
every rank takes the same best-epoch and early-stopping decisions.

What each rank draws at random beyond the shared order (augmentation, dropout) must differ
between ranks yet be reproducible after --resume: those generators are reseeded at the start
of every epoch from (seed, rank, epoch), so a checkpoint needs only rank 0's shared state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.device import resolve_device
from braintank.training.loop import Trainer
from braintank.training.optim import full_batch, make_scheduler

MAX_NPROC = 64
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@dataclass(frozen=True)
class RankContext:
    rank: int
    world_size: int
    local_rank: int  # the rank among this machine's processes: which GPU it takes

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def launched_by_torchrun() -> bool:
    return "WORLD_SIZE" in os.environ and "RANK" in os.environ


def rank_context_from_env() -> RankContext:
    """This process's place, from the variables torchrun (or our own launcher) sets."""
    missing = [name for name in TORCHRUN_VARIABLES if name not in os.environ]
    if missing:
        raise BraintankError(f"distributed training needs the environment variables "
                             f"{', '.join(TORCHRUN_VARIABLES)}; missing: {', '.join(missing)}")
    try:
        ctx = RankContext(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]),
                          int(os.environ["LOCAL_RANK"]))
    except ValueError:
        raise BraintankError("RANK, WORLD_SIZE and LOCAL_RANK must be whole numbers") from None
    if not (0 <= ctx.rank < ctx.world_size and 0 <= ctx.local_rank <= ctx.rank):
        raise BraintankError(f"RANK {ctx.rank}, LOCAL_RANK {ctx.local_rank} and WORLD_SIZE "
                             f"{ctx.world_size} do not fit together")
    return ctx


def check_nproc(nproc: int) -> int:
    if not 1 <= nproc <= MAX_NPROC:
        raise BraintankError(f"--nproc must be between 1 and {MAX_NPROC}, got {nproc}")
    return nproc


def check_shardable(cfg: TrainConfig, world_size: int) -> None:
    """Refuse settings that N processes cannot train as one: uneven batch shares, Rprop,
    CUDA graphs (their fixed batch shape and DDP's all-reduce were never tried together)."""
    if world_size == 1:
        return
    if full_batch(cfg.optimizer):
        raise BraintankError(f"--optimizer {cfg.optimizer} takes one full-batch gradient per "
                             "epoch and trains in one process; use --nproc 1")
    if cfg.compile == "graphs":
        raise BraintankError("--compile graphs replays one process's step as CUDA graphs; "
                             "with --nproc use --compile model")
    if cfg.batch_size % world_size:
        raise BraintankError(f"batch size {cfg.batch_size} is not divisible by --nproc "
                             f"{world_size}: each process takes an equal share of every batch")


def device_kind(name: str, gpus_needed: int | None) -> str:
    """"cpu" or "cuda" for `--device name`; with CUDA, `gpus_needed` GPUs must be here (None:
    torchrun placed the processes, and each rank checks its own GPU)."""
    device = resolve_device(name)
    if device.type == "cpu":
        return "cpu"
    if device.type != "cuda":
        raise BraintankError(f"--nproc trains on the CPU (gloo) or on CUDA GPUs (NCCL), not on "
                             f"{device.type}; use --device cpu")
    if device.index is not None:
        raise BraintankError(f"with --nproc give --device cuda, not {name}: process i takes "
                             "GPU i")
    if gpus_needed is not None and gpus_needed > torch.cuda.device_count():
        raise BraintankError(f"--nproc {gpus_needed} with --device cuda needs {gpus_needed} "
                             f"GPUs; this machine has {torch.cuda.device_count()} "
                             "(use --device cpu)")
    return "cuda"


def rank_device(kind: str, ctx: RankContext) -> torch.device:
    """"cpu" for every rank, or the GPU numbered by the rank's place on its machine."""
    if kind != "cuda":
        return torch.device("cpu")
    if ctx.local_rank >= torch.cuda.device_count():
        raise BraintankError(f"process {ctx.rank} needs GPU {ctx.local_rank} but this machine "
                             f"has {torch.cuda.device_count()}")
    return torch.device("cuda", ctx.local_rank)


def init_group(ctx: RankContext, device: torch.device) -> None:
    """Join the process group (MASTER_ADDR/MASTER_PORT from the environment)."""
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                            rank=ctx.rank, world_size=ctx.world_size)


def shutdown() -> None:
    """Leave the process group after a run every rank finished. After an error the group is
    left as it is: the launcher ends the other ranks, and tearing a group down while a peer
    still waits in a collective can hang."""
    if dist.is_initialized():
        dist.destroy_process_group()


def broadcast_text(text: str) -> str:
    """Rank 0's `text` on every rank (a default run folder is named by the clock)."""
    box = [text]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def mean_over_ranks(values: list[float], device: torch.device) -> tuple[float, ...]:
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return tuple((tensor / dist.get_world_size()).tolist())


def from_main(values: list[float], device: torch.device) -> tuple[float, ...]:
    """Rank 0's `values` on every rank."""
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.broadcast(tensor, src=0)
    return tuple(tensor.tolist())


def rank_seed(seed: int, rank: int, epoch: int, stream: int) -> int:
    """A well-mixed 64-bit seed for one rank's generator `stream` in one epoch."""
    state = np.random.SeedSequence([seed, rank, epoch, stream]).generate_state(1, np.uint64)
    return int(state[0])


class ShardedLoader:
    """Rank `rank`'s share of every global mini-batch of one shuffled order.

    All ranks draw the same permutation from `generator` (same seed, same state), exactly as
    `TensorLoader` would with the global batch; rank r then takes every N-th image of each
    batch from position r. A last, partial batch is cut to a multiple of N so that every rank
    holds the same number of images (else the averaged gradient would not be the batch mean):
    at most N - 1 images of an epoch's order are skipped, different ones each epoch.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, global_batch: int, ctx: RankContext,
                 generator: torch.Generator):
        if global_batch % ctx.world_size:
            raise ValueError(f"batch {global_batch} does not split over {ctx.world_size} ranks")
        self.x, self.y = x, y
        self.global_batch = global_batch
        self.ctx = ctx
        self.generator = generator

    def __len__(self) -> int:
        full, rest = divmod(len(self.x), self.global_batch)
        return full + (rest >= self.ctx.world_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n, world = len(self.x), self.ctx.world_size
        order = torch.randperm(n, generator=self.generator).to(self.x.device)
        for step in range(len(self)):
            lo = step * self.global_batch
            hi = min(lo + self.global_batch, n)
            hi -= (hi - lo) % world
            idx = order[lo + self.ctx.rank:hi:world]
            yield self.x[idx], self.y[idx]


class DistributedTrainer(Trainer):
    """A Trainer whose training passes run on N ranks under DistributedDataParallel.

    `self.model` stays the bare network, so checkpoints hold its state dict without DDP's
    `module.` prefixes (one checkpoint format) and validation runs without collectives.

    BatchNorm: plain DDP, not SyncBatchNorm. Each rank normalises with the statistics of its
    own B/N images (64 of the cnn preset's 128: plenty for a stable estimate), and DDP
    broadcasts rank 0's running statistics before every forward pass (broadcast_buffers), so
    the ranks' buffers and every checkpoint agree. SyncBatchNorm would add two all-reduces per
    BN layer per step, and torch refuses it on the CPU ("expected input tensor to be on GPU"),
    where this project trains. Measured (cnn preset, 10,000 images, one epoch): 98.15% test
    with 2 processes against 97.94% with one (docs/guides/training.md, "Distributed training").
    """

    def __init__(self, cfg: TrainConfig, run_dir, ctx: RankContext, device: torch.device,
                 data_dir: str | None = None, progress: bool = True):
        check_shardable(cfg, ctx.world_size)
        super().__init__(cfg, run_dir, device, data_dir, progress and ctx.is_main)
        self.ctx = ctx
        self.nproc = ctx.world_size
        self.loader = ShardedLoader(self.data.x_train, self.data.y_train, cfg.batch_size, ctx,
                                    self.shuffle_gen)
        # the schedule counts steps; a cut last batch can make one fewer than one process has
        self.scheduler = make_scheduler(self.optimizer, cfg, len(self.loader))
        # DDP's forward is what arms the gradient all-reduce of the backward pass: the training
        # step calls it (compiled too, with --compile model); all else sees the bare network.
        self.ddp = DistributedDataParallel(
            self.model, device_ids=[device.index] if device.type == "cuda" else None)
        self.train_forward = self.accel.training_forward(self.ddp)

    def train_epoch(self) -> tuple[float, float]:
        epoch = self.state.epoch
        torch.manual_seed(rank_seed(self.cfg.seed, self.ctx.rank, epoch, 0))  # dropout
        self.augment_gen.manual_seed(rank_seed(self.cfg.seed, self.ctx.rank, epoch, 1))
        loss, accuracy = super().train_epoch()
        # every rank saw as many images, so the mean of the ranks' means is the epoch's mean
        return mean_over_ranks([loss, accuracy], self.device)

    def validate(self) -> tuple[float, float]:
        """Rank 0's validation (its BN buffers are the ones broadcast and checkpointed)."""
        result = super().validate() if self.ctx.is_main else (0.0, 0.0)
        return from_main(list(result), self.device)

    def record_epoch(self, row: dict, improved: bool) -> None:
        if self.ctx.is_main:
            super().record_epoch(row, improved)
