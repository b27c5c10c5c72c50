"""Finetune from the models page: `braintank finetune` on the corrections collected so far,
run as its own process (a training must not stall the server), then a switch to the new
model with the before/after numbers from its summary.json.

It is offered once enough answers are new to the model in use (given since it last learned
from corrections); a switch is allowed only when the run's verdict (training.finetune.verdict,
in summary.json) says the new model is better, and can be undone (switch back).

Runs live in RUNS/run-<time>/ (RUNS: the server's runs folder); the request names no path,
only "the latest run this server started". A switch lasts until the server stops: start it
with --model RUNS/run-<time>/model.pt to keep the new model.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from braintank.sheets.storing.labeled import labeled_cells
from braintank.sheets.storing.store import SheetStore
from braintank.training.defaults import FINETUNE_HOLDOUT
from braintank.training.finetune_data import MIN_LABELED, check_enough
from braintank.web.models_api import current_model, describe_model, load_for_serving

router = APIRouter()


class FinetuneRequest(BaseModel):
    epochs: int = Field(5, ge=1, le=50, description="passes over the data")


class FinetuneRunner:
    """At most one finetune process at a time, and what became of the latest."""

    def __init__(self, runs: Path) -> None:
        self.runs = runs
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.run_dir: Path | None = None

    def start(self, db: Path, model: Path, epochs: int) -> Path:
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                raise HTTPException(409, f"a finetune is already running ({self.run_dir.name})")
            run_dir = self.runs / time.strftime("run-%Y%m%d-%H%M%S")
            self.runs.mkdir(parents=True, exist_ok=True)
            log = open(run_dir.with_suffix(".log"), "w")  # the child writes to it
            self.process = subprocess.Popen(
                [sys.executable, "-m", "braintank.cli.main", "finetune", "--store", str(db),
                 "--model", str(model), "--out", str(run_dir), "--epochs", str(epochs),
                 "--device", "cpu", "--no-progress"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            self.run_dir = run_dir
            return run_dir

    def status(self) -> dict:
        with self.lock:
            if self.process is None:
                return {"state": "idle"}
            code = self.process.poll()
            run_dir = self.run_dir
        log = run_dir.with_suffix(".log")
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        state = "running" if code is None else "done" if code == 0 else "failed"
        result = {"state": state, "run": run_dir.name, "log": lines[-8:]}
        if state == "failed":
            errors = [line for line in lines if line.startswith("braintank: error:")]
            result["error"] = errors[-1] if errors else f"finetune exited with code {code}"
        if state == "done":
            try:
                result["summary"] = _before_after(json.loads(
                    (run_dir / "summary.json").read_text(encoding="utf-8")))
                result["model"] = str(run_dir / "model.pt")
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
                    AttributeError, RecursionError) as exc:
                # Finished, but its numbers cannot be shown: no model to switch to either.
                reason = f"{type(exc).__name__}: {str(exc)[:80]}"
                result.update(state="failed", error=f"{run_dir.name}/summary.json is damaged "
                                                    f"or unreadable ({reason})")
        return result

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()


def _before_after(summary: dict) -> dict:
    """The summary.json numbers the models page shows (KeyError, TypeError or ValueError
    when the file does not hold them)."""
    before, after = summary["before"], summary["after"]
    numbers = {"rows": [{"measure": name, "before": _number(pick(before)),
                         "after": _number(pick(after))} for name, pick in _MEASURES]}
    verdict = summary["verdict"]
    if not isinstance(verdict["better"], bool) or not isinstance(verdict["why"], str):
        raise ValueError("the verdict is not {better: true|false, why: text}")
    return {"heldout": _number(summary["heldout_corrections"]),
            "trained_on": _number(summary["train_corrections"]),
            "epochs": _number(summary["epochs"]), **numbers,
            "verdict": {"better": verdict["better"], "why": verdict["why"][:300]}}


_MEASURES = (("held-out corrections: accuracy", lambda s: s["heldout"]["accuracy"]),
             ("held-out: accepted without review", lambda s: s["heldout"]["accepted"]),
             ("held-out: accuracy of accepted", lambda s: s["heldout"]["accepted_accuracy"]),
             ("MNIST test accuracy", lambda s: s["mnist_test"]["accuracy"]))


def _number(value: object) -> float | int | None:
    """A number the page can show (None: not measured); anything else is damage."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)
                         and math.isfinite(value)):
        return value
    raise ValueError(f"{str(value)[:20]!r} is not a number")


def corrected_digits(db: Path) -> int:
    with SheetStore(db) as store:
        return int(len(labeled_cells(store).labels))


def answers_at_hand(db: Path, learned_at: float | None) -> tuple[int, int]:
    """(corrected digits in all, those answered after `learned_at`: new to the model)."""
    with SheetStore(db) as store:
        found = labeled_cells(store)
    new = sum(learned_at is None or at > learned_at for at in found.answered_at)
    return int(len(found.labels)), new


@router.get("/api/finetune", summary="The latest finetune and the corrected digits at hand")
def finetune_status(request: Request) -> dict:
    state = request.app.state
    total, new = answers_at_hand(state.config.db, state.model_facts.get("learned_at"))
    latest = state.finetune.status()
    return {**latest, "corrected_digits": total, "new_answers": new, "needed": MIN_LABELED,
            "offer": new >= MIN_LABELED and total >= MIN_LABELED
            and latest["state"] != "running"}


@router.post("/api/finetune", status_code=202,
             summary="Start `braintank finetune` on the corrections, from the model in use")
def start_finetune(request: Request, settings: FinetuneRequest) -> dict:
    state = request.app.state
    check_enough(corrected_digits(state.config.db), FINETUNE_HOLDOUT, "the corrections")
    run_dir = state.finetune.start(state.config.db, state.model_path, settings.epochs)
    return {"state": "running", "run": run_dir.name}


@router.post("/api/model/switch", summary="Read with the model of the latest finished finetune "
             "(only when its verdict says it is better)")
async def switch_model(request: Request) -> dict:
    state = request.app.state
    latest = state.finetune.status()
    if latest["state"] != "done":
        raise HTTPException(409, "no finished finetune to switch to (state: "
                                 f"{latest['state']})")
    verdict = latest["summary"]["verdict"]
    if not verdict["better"]:
        raise HTTPException(409, f"the finetuned model is not better than the one in use "
                                 f"({verdict['why']}); keep reading with it")
    path = Path(latest["model"])
    if path == Path(state.model_path):
        raise HTTPException(409, f"already reading with {latest['run']}/model.pt")
    await _use(state, path)
    return {"switched": True, **current_model(state)}


@router.post("/api/model/switch-back", summary="Read again with the model used before the "
             "latest switch")
async def switch_back(request: Request) -> dict:
    state = request.app.state
    if not state.previous_models:
        raise HTTPException(409, "no earlier model to switch back to (the server has not "
                                 "switched since it started)")
    previous = state.previous_models.pop()
    state.classifier = state.worker.classifier = previous["classifier"]
    state.model_facts, state.model_path = previous["facts"], previous["path"]
    return {"switched": True, **current_model(state)}


async def _use(state, path: Path) -> None:
    """Load `path` and read with it from now on (the model in use kept to go back to)."""
    classifier = await run_in_threadpool(load_for_serving, path, state.config.runtime)
    facts = await run_in_threadpool(describe_model, path)
    state.previous_models.append({"classifier": state.classifier, "path": state.model_path,
                                  "facts": state.model_facts})
    state.classifier = state.worker.classifier = classifier
    state.model_facts, state.model_path = facts, path
