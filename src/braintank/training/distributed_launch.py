"""Starting N training processes, running one rank's whole run, and ending them all cleanly.

`braintank train --nproc N` is its own torchrun: it spawns N processes (torch.multiprocessing,
start method spawn), gives each the variables torchrun would (RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR=127.0.0.1, MASTER_PORT=a free port) and waits. Under a real torchrun every
process runs `train_rank` itself. A user error on any rank (a BraintankError) ends the
others (the launcher's job: a rank waiting in a collective would wait for ever) and comes
back as one line.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.multiprocessing as torch_mp
from tqdm import tqdm

from braintank import runlog
from braintank.errors import BraintankError
from braintank.nets import count_parameters
from braintank.training.config import TrainConfig
from braintank.training.distributed import (
    DistributedTrainer,
    RankContext,
    broadcast_text,
    check_shardable,
    init_group,
    rank_context_from_env,
    rank_device,
    shutdown,
)
from braintank.training.finalize import finalize
from braintank.training.loop import drop_later_epochs, read_last_checkpoint

GRACE_SECONDS = 10  # how long a rank asked to stop may take before it is killed


@dataclass(frozen=True)
class LaunchPlan:
    """What every rank needs to know; sent to spawned processes as it is."""

    nproc: int
    run_dir: str
    config: dict | None  # a new run's settings; None continues the run in run_dir
    device: str = "cpu"  # "cpu" or "cuda" (rank r takes GPU LOCAL_RANK)
    threads: int | None = None  # torch threads per process
    data_dir: str | None = None
    progress: bool = True
    stop_after: int | None = None  # train at most this many epochs and leave the run open
    debug: bool = False  # let errors raise with their traceback


def train_rank(ctx: RankContext, plan: LaunchPlan) -> dict | None:
    """One rank's part of the run; rank 0 returns the summary when the run is finished."""
    device = rank_device(plan.device, ctx)
    if not ctx.is_main:  # only rank 0 reports; the others' stdout goes nowhere
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    init_group(ctx, device)
    trainer = _open_run(ctx, plan, device)
    trainer.fit(plan.stop_after)
    shutdown()
    if not ctx.is_main or plan.stop_after is not None:
        return None
    return finalize(trainer, plan.data_dir)  # rank 0 alone, outside the group


def _open_run(ctx: RankContext, plan: LaunchPlan, device: torch.device) -> DistributedTrainer:
    if plan.config is None:
        run_dir = Path(plan.run_dir)
        saved, cfg = read_last_checkpoint(run_dir)
        trainer = DistributedTrainer(cfg, run_dir, ctx, device, plan.data_dir, plan.progress)
        trainer.restore(saved)
        if ctx.is_main:
            drop_later_epochs(run_dir, trainer.state.epoch)
        return trainer
    cfg = TrainConfig.from_dict(plan.config)
    check_shardable(cfg, ctx.world_size)
    run_dir = Path(broadcast_text(plan.run_dir))  # under torchrun each rank read the clock
    if ctx.is_main:
        runlog.open_new_run(run_dir, cfg.to_dict(), "last.pt")
    trainer = DistributedTrainer(cfg, run_dir, ctx, device, plan.data_dir, plan.progress)
    tqdm.write(f"{cfg.model}: {count_parameters(trainer.model):,} parameters, "
               f"{ctx.world_size} processes on {device.type} (batches of "
               f"{cfg.batch_size // ctx.world_size} per process), "
               f"{len(trainer.data.y_train)} training / {len(trainer.data.y_val)} "
               "validation images")
    return trainer


def spawn(plan: LaunchPlan) -> None:
    """Run `plan` in plan.nproc fresh processes; returns when all finished, else raises."""
    pipes = [multiprocessing.get_context("spawn").Pipe(duplex=False) for _ in range(plan.nproc)]
    context = torch_mp.start_processes(
        _spawned_rank, args=(plan, free_port(), [sender for _, sender in pipes]),
        nprocs=plan.nproc, join=False, start_method="spawn")
    # torch logs a warning as it stops the other ranks after a failure; the error says enough
    logging.getLogger("torch.multiprocessing.spawn").setLevel(logging.ERROR)
    on_main_thread = threading.current_thread() is threading.main_thread()
    if on_main_thread:  # a plain `kill` of this process must not orphan the ranks
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        while not context.join():
            pass
    except torch_mp.ProcessExitedException as exc:
        messages = {rank: receiver.recv() for rank, (receiver, _) in enumerate(pipes)
                    if receiver.poll()}
        # the rank that failed first says why; the others were stopped, or failed alike
        message = messages.get(exc.error_index) or next(iter(messages.values()), None)
        raise BraintankError(message or _exit_reason(exc)) from None
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)
        _end(context.processes)
        for receiver, sender in pipes:
            receiver.close()
            sender.close()


def _spawned_rank(index: int, plan: LaunchPlan, port: int, error_pipes: list) -> None:
    os.environ.update(RANK=str(index), LOCAL_RANK=str(index), WORLD_SIZE=str(plan.nproc),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    if plan.threads:
        torch.set_num_threads(plan.threads)
    try:
        train_rank(rank_context_from_env(), plan)
    except (BraintankError, OSError) as exc:
        if plan.debug:
            raise
        error_pipes[index].send(str(exc))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)  # no interpreter teardown: it could wait on the process group


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _exit_reason(exc: torch_mp.ProcessExitedException) -> str:
    how = f"was killed by {exc.signal_name}" if exc.signal_name \
        else f"exited with code {exc.exit_code}"
    return f"training process {exc.error_index} {how}"


def _end(processes: list) -> None:
    """Stop every rank still running: politely, then for good."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
