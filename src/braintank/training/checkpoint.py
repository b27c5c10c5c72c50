"""What a training checkpoint holds beyond a model: the random number generators' states.

The file format itself (reading, writing, checking) is `braintank.modelfile`'s; a checkpoint
is a model file of kind "checkpoint" that adds optimizer, scheduler, state and rng.
"""

from __future__ import annotations

import torch


def rng_state(shuffle: torch.Generator, augment: torch.Generator) -> dict:
    state = {"torch": torch.get_rng_state(), "shuffle": shuffle.get_state(),
             "augment": augment.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict, shuffle: torch.Generator, augment: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    shuffle.set_state(state["shuffle"])
    augment.set_state(state["augment"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
