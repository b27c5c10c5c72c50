"""Rosenblatt's perceptron as course 2 trains it: online, batch, mini-batch and parallel.

Labels are +1 (the class) and -1 (everything else); a sample is misclassified when
y·(w·x + β) <= 0 and then moves the hyperplane by w ← w + αyx, β ← β + αy.
Batch training sums those moves (Δ, Β) over all samples against the *same* hyperplane,
which makes the result independent of sample order and lets disjoint shards compute
their (Δ, Β) in parallel — `parallel` splits the data into n_jobs shards and runs
`shard_delta` on threads (NumPy releases the GIL in its kernels) or processes.
"""

from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np

from braintank.errors import BraintankError

MODES = ("online", "batch", "minibatch", "parallel")
BACKENDS = ("threads", "processes")


def to_signed_labels(y: np.ndarray) -> np.ndarray:
    """Labels as ±1 floats from {-1, 1}, {0, 1} or booleans."""
    y = np.asarray(y)
    values = set(np.unique(y).tolist())
    if not values <= {-1, 1} and not values <= {0, 1}:
        raise BraintankError(f"perceptron labels must be -1/1, 0/1 or booleans, got values "
                             f"{sorted(values)[:5]}")
    return np.where(y > 0, 1.0, -1.0)


def shard_delta(x: np.ndarray, y: np.ndarray, w: np.ndarray, beta: float,
                lr: float) -> tuple[np.ndarray, float, int]:
    """train(trainingSet, weights, beta) -> (Δ, Β): the summed corrections of one shard."""
    wrong = y * (x @ w + beta) <= 0
    y_wrong = y[wrong]
    return lr * (y_wrong @ x[wrong]), lr * float(y_wrong.sum()), int(wrong.sum())


class Perceptron:
    """Binary perceptron; after fit: weights_, bias_, epochs_, changes_, converged_, errors_."""

    def __init__(self, lr: float = 1.0, mode: str = "online", batch_size: int = 32,
                 n_jobs: int = 2, backend: str = "threads", max_epochs: int = 100,
                 shuffle: bool = True, seed: int | None = 0) -> None:
        self.lr = lr
        self.mode = mode
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.backend = backend
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.seed = seed

    def _validate(self, x: np.ndarray, y: np.ndarray) -> None:
        if self.mode not in MODES:
            raise BraintankError(f"unknown perceptron mode {self.mode!r} (known: {MODES})")
        if self.backend not in BACKENDS:
            raise BraintankError(f"unknown backend {self.backend!r} (known: {BACKENDS})")
        if x.ndim != 2 or len(x) != len(y):
            raise BraintankError(f"perceptron needs x of shape (n, d) and n labels, got "
                                 f"{x.shape} and {np.shape(y)}")
        if self.lr <= 0 or self.batch_size < 1 or self.n_jobs < 1 or self.max_epochs < 1:
            raise BraintankError("perceptron: lr, batch_size, n_jobs and max_epochs "
                                 "must be positive")

    def fit(self, x: np.ndarray, y: np.ndarray) -> Perceptron:
        x = np.asarray(x, dtype=np.float64)
        self._validate(x, y)
        y = to_signed_labels(y)
        rng = np.random.default_rng(self.seed)
        # small random start, as in the course's demo (0.1x + 0.1y + 0.05 = 0)
        self.weights_ = rng.uniform(-0.1, 0.1, x.shape[1])
        self.bias_ = float(rng.uniform(-0.1, 0.1))
        self.changes_, self.errors_, self.converged_ = 0, [], False
        epoch_fn = getattr(self, f"_{self.mode}_epoch")
        pool = self._pool() if self.mode == "parallel" else None
        try:
            for epoch in range(1, self.max_epochs + 1):
                order = rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
                mistakes = epoch_fn(x[order], y[order], pool)
                self.errors_.append(mistakes)
                self.epochs_ = epoch
                if mistakes == 0:
                    self.converged_ = True
                    break
        finally:
            if pool is not None:
                pool.shutdown()
        return self

    def _pool(self) -> Executor:
        cls = ThreadPoolExecutor if self.backend == "threads" else ProcessPoolExecutor
        return cls(max_workers=self.n_jobs)

    def _online_epoch(self, x, y, pool) -> int:
        mistakes = 0
        for xi, yi in zip(x, y, strict=True):
            if yi * (xi @ self.weights_ + self.bias_) <= 0:
                self.weights_ += self.lr * yi * xi
                self.bias_ += self.lr * yi
                mistakes += 1
        self.changes_ += mistakes
        return mistakes

    def _apply(self, delta: np.ndarray, beta_delta: float, mistakes: int) -> None:
        if mistakes:
            self.weights_ += delta
            self.bias_ += beta_delta
            self.changes_ += 1

    def _batch_epoch(self, x, y, pool) -> int:
        delta, beta_delta, mistakes = shard_delta(x, y, self.weights_, self.bias_, self.lr)
        self._apply(delta, beta_delta, mistakes)
        return mistakes

    def _minibatch_epoch(self, x, y, pool) -> int:
        total = 0
        for start in range(0, len(x), self.batch_size):
            part = slice(start, start + self.batch_size)
            delta, beta_delta, mistakes = shard_delta(x[part], y[part], self.weights_,
                                                      self.bias_, self.lr)
            self._apply(delta, beta_delta, mistakes)
            total += mistakes
        return total

    def _parallel_epoch(self, x, y, pool) -> int:
        shards = np.array_split(np.arange(len(x)), self.n_jobs)
        futures = [pool.submit(shard_delta, x[s], y[s], self.weights_, self.bias_, self.lr)
                   for s in shards]
        results = [f.result() for f in futures]
        delta = np.sum([r[0] for r in results], axis=0)
        self._apply(delta, sum(r[1] for r in results), sum(r[2] for r in results))
        return sum(r[2] for r in results)

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.weights_ + self.bias_

    def predict(self, x: np.ndarray) -> np.ndarray:
        """+1 for the class, -1 for the rest."""
        return np.where(self.decision_function(x) > 0, 1, -1)

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        """Accuracy against labels in any form `fit` accepts."""
        return float((self.predict(x) == to_signed_labels(y)).mean())
