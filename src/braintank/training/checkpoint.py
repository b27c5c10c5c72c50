"""What a training checkpoint holds beyond a model: the random number generators' states.

The file format itself (reading, writing, checking) is `braintank.modelfile`'s; a checkpoint
is a model file of kind "checkpoint" that adds optimizer, scheduler, state and rng.
"""

from __future__ import annotations

import torch

from braintank.errors import BraintankError


def rng_state(shuffle: torch.Generator, augment: torch.Generator) -> dict:
    state = {"torch": torch.get_rng_state(), "shuffle": shuffle.get_state(),
             "augment": augment.get_state(), "augment_device": augment.device.type}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def augment_generator_for(state: dict, current: torch.Generator) -> torch.Generator:
    """The generator a resumed run draws its augmentation from: one of the kind that saved
    `state` (CPU before runs recorded it), so its random numbers go on where they stopped,
    even on another device."""
    kind = state.get("augment_device", "cpu")
    if kind == current.device.type:
        return current
    if kind == "cuda" and not torch.cuda.is_available():
        raise BraintankError("this run drew its augmentation from the GPU's random number "
                             "generator: resume it with --device cuda")
    if kind not in ("cpu", "cuda"):
        raise ValueError(f"unknown augmentation generator device {kind!r}")
    return torch.Generator(device=kind)


def restore_rng(state: dict, shuffle: torch.Generator, augment: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    shuffle.set_state(state["shuffle"])
    augment.set_state(state["augment"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
