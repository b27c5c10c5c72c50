"""An in-memory mini-batch loader: the whole dataset is one tensor on the device.

A per-sample DataLoader spends far longer collating 28x28 images than the network spends on
them; indexing one resident tensor with a shuffled permutation costs almost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch


class TensorLoader:
    """Shuffled (or ordered) mini-batches of (x, y) from tensors already on the device.

    The shuffle order comes from `generator`, whose state a checkpoint saves, so a resumed
    run sees the same batches as an uninterrupted one.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = False,
                 generator: torch.Generator | None = None, drop_last: bool = False):
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
        if batch_size < 1:
            raise ValueError(f"batch size must be >= 1, got {batch_size}")
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.drop_last = drop_last

    def __len__(self) -> int:
        n, b = len(self.x), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.x)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator).to(self.x.device)
        else:
            order = None
        for batch in range(len(self)):
            lo = batch * self.batch_size
            hi = min(lo + self.batch_size, n)
            if order is None:
                yield self.x[lo:hi], self.y[lo:hi]
            else:
                idx = order[lo:hi]
                yield self.x[idx], self.y[idx]
