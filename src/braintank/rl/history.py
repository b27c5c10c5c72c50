"""Observation stacking: a policy that sees its last few observations, not only the newest.

The car sees 20 headlight sums and nothing beside or behind it; a wall it turned away from is
gone from its view. Stacking the last `frames` observations (oldest first, in one flat vector)
gives the network the change between them (how fast a wall comes closer) and a short memory,
without a recurrent network. At the start of an episode every slot holds the first
observation, as Gymnasium's FrameStackObservation pads on reset.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from braintank.config import setting


def frames_setting(default: int = 1) -> int:
    """A Config's `frames` field: how many recent observations the network sees."""
    return setting(default, at_least=1, at_most=16)


class ObservationHistory:
    """The last `frames` observations, oldest first, flattened; `clear` at an episode's
    start, `push` every observation (the first after `clear` fills every slot)."""

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self._slots: deque[np.ndarray] = deque(maxlen=frames)

    def clear(self) -> None:
        self._slots.clear()

    def push(self, observation) -> np.ndarray:
        observation = np.asarray(observation, dtype=np.float32).ravel()
        if self.frames == 1:
            return observation
        if not self._slots:
            self._slots.extend([observation] * self.frames)
        else:
            self._slots.append(observation)
        return np.concatenate(self._slots)

    def load(self, stacked) -> None:
        """Put back the slots behind a vector `push` returned (a resumed run's last one)."""
        self._slots.clear()
        if self.frames > 1:
            self._slots.extend(np.split(np.asarray(stacked, dtype=np.float32), self.frames))
