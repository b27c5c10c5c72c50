"""`braintank train`: the mini-batch training loop with per-epoch checkpoints and resume.

A run folder holds config.json, metrics.jsonl, curves.png, last.pt (every epoch, for
--resume), best.pt (best validation accuracy) and, when finished, model.pt (best weights
plus calibration) and summary.json. Each checkpoint carries model, optimizer, scheduler,
epoch, best metric and every RNG state, so resuming ends with the same weights as an
uninterrupted run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from braintank import modelfile, runlog
from braintank.data.augment import augment_batch
from braintank.data.loader import TensorLoader
from braintank.errors import BraintankError
from braintank.nets import build_model, count_parameters
from braintank.progress import progress_bar
from braintank.training import checkpoint
from braintank.training.accelerate import Accelerator
from braintank.training.config import ADDED_SETTINGS, TrainConfig
from braintank.training.data import RunData, load_run_data
from braintank.training.distill import distillation_loss, load_teacher
from braintank.training.evaluate import compute_logits, loss_and_accuracy
from braintank.training.optim import (
    clip_gradients,
    current_lr,
    full_batch,
    make_optimizer,
    make_scheduler,
)
from braintank.training.synthetic import SyntheticMix, outlier_loss


@dataclass
class RunState:
    epoch: int = 0  # epochs finished
    best_acc: float = -1.0
    best_epoch: int = 0
    stale: int = 0  # epochs without improvement, for early stopping


class Trainer:
    """Owns one run: data, model, optimizer, schedule, RNGs and the run folder."""

    nproc = 1  # processes training the model together (distributed.DistributedTrainer: more)

    def __init__(self, cfg: TrainConfig, run_dir: str | Path, device: torch.device,
                 data_dir: str | None = None, progress: bool = True,
                 split: tuple | None = None, data: RunData | None = None,
                 initial_weights: dict | None = None):
        """`data`: tensors prepared by the caller (finetune) instead of cfg's dataset split;
        `initial_weights`: a state dict to start from instead of a fresh initialization."""
        self.cfg = cfg.validate()
        self.run_dir = Path(run_dir)
        self.device = device
        self.progress = progress
        torch.manual_seed(cfg.seed)
        self.data: RunData = data if data is not None else \
            load_run_data(cfg, device, data_dir, split)
        self.accel = Accelerator.for_run(cfg, device)
        self.model = build_model(cfg.arch).to(device)
        if initial_weights is not None:
            self.model.load_state_dict(initial_weights)
        self.model = self.accel.prepare_model(self.model)
        self.train_forward = self.accel.training_forward(self.model)
        self.teacher = load_teacher(cfg.teacher, self.data.normalize, device) \
            if cfg.teacher else None
        self.mix = SyntheticMix(cfg, self.data.x_train, self.data.normalize)
        self.shuffle_gen = torch.Generator().manual_seed(cfg.seed + 1)
        self.augment_gen = self.accel.augment_generator(cfg.seed + 2)
        batch = len(self.data.y_train) if full_batch(cfg.optimizer) else cfg.batch_size
        self.loader = TensorLoader(self.data.x_train, self.data.y_train, batch, shuffle=True,
                                   generator=self.shuffle_gen,
                                   drop_last=self.accel.static_shapes
                                   and len(self.data.y_train) >= batch)
        self.optimizer = make_optimizer(self.model.parameters(), cfg,
                                        fused=self.accel.fused_optimizer)
        self.scheduler = make_scheduler(self.optimizer, cfg, len(self.loader))
        self.state = RunState()

    # ---- checkpoints -------------------------------------------------------------------
    def payload(self, kind: str) -> dict:
        payload = {
            "kind": kind,
            "arch": self.cfg.arch,
            "config": self.cfg.to_dict(),
            "normalize": list(self.data.normalize),
            "model": self.model.state_dict(),
        }
        if kind == "checkpoint":
            payload |= {
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler else None,
                "state": vars(self.state).copy(),
                "rng": checkpoint.rng_state(self.shuffle_gen, self.augment_gen),
            }
        return payload

    def restore(self, saved: modelfile.ModelFile) -> None:
        """Continue from a checkpoint loaded (and checked) by `modelfile.load`."""
        if saved.kind != "checkpoint":
            raise BraintankError(f"{saved.path}: not a resumable checkpoint")
        if saved.arch != self.cfg.arch:
            raise BraintankError(f"{saved.path}: its weights and its config describe "
                                 "different networks")
        self.model.load_state_dict(saved.network.state_dict())
        payload = saved.payload
        try:
            self.optimizer.load_state_dict(payload["optimizer"])
            if self.scheduler and payload["scheduler"]:
                self.scheduler.load_state_dict(payload["scheduler"])
            self.state = RunState(**payload["state"])
            self.augment_gen = checkpoint.augment_generator_for(payload["rng"], self.augment_gen)
            checkpoint.restore_rng(payload["rng"], self.shuffle_gen, self.augment_gen)
        except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise BraintankError(f"{saved.path}: damaged training state ({reason})") from None

    # ---- one epoch ---------------------------------------------------------------------
    def _prepare(self, x: torch.Tensor, y: torch.Tensor
                 ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """The batch as the network trains on it: synthetic digits and marks mixed in (the
        marks last; how many), then augmented, in the model's memory layout."""
        x, y, marks = self.mix.mix(x, y, self.augment_gen)
        if self.cfg.augment != "none":
            x = augment_batch(x, self.cfg.augment, self.augment_gen, self.data.background,
                              self.cfg.augment_prob, labels=y, ink=self.data.ink)
        return self.accel.memory_format(x), y, marks

    def _loss(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, digits read right) for a batch of the loader; the marks that are not a
        digit add the outlier loss."""
        x, y, marks = self._prepare(x, y)
        with self.accel.autocast():
            logits = self.train_forward(x)
            if marks:
                mark_logits, logits, x, y = logits[-marks:], logits[:-marks], x[:-marks], \
                    y[:-marks]
            if self.teacher is not None:
                with torch.no_grad():
                    teacher_logits = self.teacher(x)
                loss = distillation_loss(logits, teacher_logits, y, self.cfg.distill_weight,
                                         self.cfg.label_smoothing)
            else:
                loss = F.cross_entropy(logits, y, label_smoothing=self.cfg.label_smoothing)
            if marks:
                loss = loss + self.cfg.outlier_weight * outlier_loss(mark_logits)
        return loss, (logits.argmax(1) == y).sum()

    def _check_finite(self, loss: torch.Tensor, step: int, exact: bool = True) -> None:
        """Stop a diverged run; `exact` False: the loss was read back only at `step`."""
        if torch.isfinite(loss):
            return
        last = self.run_dir / "last.pt"
        kept = (f"the last good checkpoint (after epoch {self.state.epoch}) is kept in {last}"
                if self.state.epoch > 0 and last.is_file()
                else "no checkpoint was written yet (nothing to resume)")
        where = f"step {step}" if exact else f"by step {step}"
        raise BraintankError(f"training diverged in epoch {self.state.epoch + 1}, {where}: "
                             f"loss is {loss.item()}; {kept} (try a lower --lr or --clip-grad)")

    def train_step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimizer step on (x, y); its loss and correct count stay on the device."""
        self.accel.step_begins()
        self.optimizer.zero_grad(set_to_none=True)
        if full_batch(self.cfg.optimizer):
            loss, hits = self._accumulate_full_batch(x, y)
        else:
            loss, hits = self._loss(x, y)
            loss.backward()
        clip_gradients(self.model, self.cfg.clip_grad)
        self.optimizer.step()
        if self.scheduler:
            self.scheduler.step()
        return loss.detach(), hits

    def train_epoch(self) -> tuple[float, float]:
        self.model.train()
        if self.cfg.frozen_norm:
            freeze_norm_statistics(self.model)
        self.mix.start_epoch(self.state.epoch)
        # Running sums stay on the device and are read back every `sync_every` steps (every
        # step on the CPU): a read makes the host wait for the GPU to finish its queue. The
        # sum is float64, as the Python float it replaced, so CPU metrics are unchanged.
        total_loss = torch.zeros((), dtype=torch.float64, device=self.device)
        correct = torch.zeros((), dtype=torch.long, device=self.device)
        seen, every, last_step = 0, self.accel.sync_every, len(self.loader)
        bar = progress_bar(self.loader, summary=False,  # the epoch's line is printed after it
                           desc=f"epoch {self.state.epoch + 1}/{self.cfg.epochs}",
                           disable=not self.progress, leave=False, unit="batch")
        for step, (x, y) in enumerate(bar, 1):
            loss, hits = self.train_step(x, y)
            total_loss += loss.double() * len(y)
            correct += hits
            seen += len(y)
            if step % every == 0 or step == last_step:
                self._check_finite(total_loss, step, exact=every == 1)
                bar.set_postfix(loss=f"{total_loss.item() / seen:.4f}",
                                acc=f"{correct.item() / seen:.4f}")
        return total_loss.item() / seen, correct.item() / seen

    def _accumulate_full_batch(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, int]:
        """One gradient over the whole training set, in chunks that fit memory (Rprop)."""
        total, hits, n = torch.zeros((), device=self.device), 0, len(y)
        chunk = self.cfg.eval_batch_size
        for i in range(0, n, chunk):
            size = len(y[i:i + chunk])
            loss, right = self._loss(x[i:i + chunk], y[i:i + chunk])
            self._check_finite(loss, 1)
            (loss * size / n).backward()
            total += loss.detach() * size / n
            hits += right.item()
        return total, hits

    def validate(self) -> tuple[float, float]:
        if len(self.data.y_val) == 0:
            return float("nan"), float("nan")
        logits = compute_logits(self.model, self.eval_input(self.data.x_val),
                                self.cfg.eval_batch_size)
        return loss_and_accuracy(logits, self.data.y_val)

    def eval_input(self, x: torch.Tensor) -> torch.Tensor:
        """x in the memory layout the model trains in (channels-last for conv nets)."""
        return self.accel.memory_format(x)

    # ---- the run -----------------------------------------------------------------------
    def fit(self, stop_after: int | None = None) -> RunState:
        """Train until cfg.epochs, early stopping, or `stop_after` epochs in this call."""
        done_here = 0
        while self.state.epoch < self.cfg.epochs:
            if stop_after is not None and done_here >= stop_after:
                break
            started = time.perf_counter()
            train_loss, train_acc = self.train_epoch()
            train_seconds = time.perf_counter() - started
            val_loss, val_acc = self.validate()
            self.state.epoch += 1
            done_here += 1
            score = train_acc if math.isnan(val_acc) else val_acc
            improved = score > self.state.best_acc
            if improved:
                self.state.best_acc, self.state.best_epoch, self.state.stale = \
                    score, self.state.epoch, 0
            else:
                self.state.stale += 1
            row = {"epoch": self.state.epoch, "train_loss": train_loss, "train_acc": train_acc,
                   "val_loss": None if math.isnan(val_loss) else val_loss,
                   "val_acc": None if math.isnan(val_acc) else val_acc,
                   "lr": current_lr(self.optimizer),
                   "train_seconds": round(train_seconds, 3),
                   "seconds": round(time.perf_counter() - started, 3)}
            self.record_epoch(row, improved)
            if self.cfg.patience and self.state.stale >= self.cfg.patience:
                tqdm.write(f"early stopping: no better validation accuracy for "
                           f"{self.cfg.patience} epochs (best {self.state.best_acc:.4f} at "
                           f"epoch {self.state.best_epoch})")
                self.cfg.epochs = self.state.epoch
                break
        return self.state

    def record_epoch(self, row: dict, improved: bool) -> None:
        """Checkpoints, log, curves and the epoch line (in distributed runs: rank 0's job)."""
        if improved:
            modelfile.save(self.run_dir / "best.pt", self.payload("model"))
        modelfile.save(self.run_dir / "last.pt", self.payload("checkpoint"))
        runlog.append_metrics(self.run_dir, row)
        runlog.plot_learning_curves(runlog.read_metrics(self.run_dir),
                                    self.run_dir / runlog.CURVES_FILE, self.cfg.model)
        tqdm.write(self._epoch_line(row))

    def _epoch_line(self, row: dict) -> str:
        val = f" val_loss {row['val_loss']:.4f} val_acc {row['val_acc']:.4f}" \
            if row["val_acc"] is not None else ""
        return (f"epoch {row['epoch']:>3}/{self.cfg.epochs} train_loss {row['train_loss']:.4f} "
                f"train_acc {row['train_acc']:.4f}{val} lr {row['lr']:.2e} "
                f"{row['seconds']:.1f}s")


def freeze_norm_statistics(model: torch.nn.Module) -> None:
    """Batch norm layers normalise with their running statistics and stop updating them.

    A finetune's batches hold a quarter of the client's digits: batch statistics drawn from
    them, written into the running averages over a few dozen steps, move the normalisation
    every MNIST digit is read with. Their scale and shift still learn.
    """
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.eval()


def start_run(cfg: TrainConfig, run_dir: str | Path, device: torch.device,
              data_dir: str | None = None, progress: bool = True,
              split: tuple | None = None, data: RunData | None = None,
              initial_weights: dict | None = None) -> Trainer:
    """A fresh run in an empty (or new) folder (`data`, `initial_weights`: see Trainer)."""
    cfg.validate()  # before the folder is made: a refused setting leaves nothing behind
    run_dir = runlog.open_new_run(run_dir, cfg.to_dict(), "last.pt")
    trainer = Trainer(cfg, run_dir, device, data_dir, progress, split, data, initial_weights)
    tqdm.write(f"{cfg.model}: {count_parameters(trainer.model):,} parameters on {device}, "
               f"{len(trainer.data.y_train)} training / {len(trainer.data.y_val)} "
               "validation images")
    return trainer


def resume_run(run_dir: str | Path, device: torch.device, data_dir: str | None = None,
               progress: bool = True, data: RunData | None = None) -> Trainer:
    """Reopen a run folder at its last checkpoint; epochs logged after it are dropped.
    `data`: the tensors the run was started with, when they were not cfg's dataset split."""
    run_dir = Path(run_dir)
    saved, cfg = read_last_checkpoint(run_dir)
    trainer = Trainer(cfg, run_dir, device, data_dir, progress, data=data)
    trainer.restore(saved)
    drop_later_epochs(run_dir, trainer.state.epoch)
    return trainer


def read_last_checkpoint(run_dir: Path) -> tuple[modelfile.ModelFile, TrainConfig]:
    """A run folder's last.pt and the config it was trained with (checked)."""
    last = run_dir / "last.pt"
    if not last.is_file():
        raise BraintankError(f"{run_dir}: no checkpoint (last.pt) to resume from")
    saved = modelfile.load(last)
    if saved.kind != "checkpoint":
        raise BraintankError(f"{last}: not a resumable checkpoint")
    return saved, TrainConfig.from_dict({**ADDED_SETTINGS, **saved.config},
                                         source=str(last))


def drop_later_epochs(run_dir: Path, epoch: int) -> None:
    """Forget the log rows of epochs trained after the checkpoint a run resumes from."""
    runlog.write_metrics(run_dir, [r for r in runlog.read_metrics(run_dir)
                                   if r["epoch"] <= epoch])
