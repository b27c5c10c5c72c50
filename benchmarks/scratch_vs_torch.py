"""Per-epoch training time: the scratch NumPy MLP against an identical PyTorch MLP.

Same process, same sizes, batch, dtype (float32), optimizer and shuffled order; the two
engines alternate epoch by epoch so machine noise hits both alike. Reports the median
epoch time of each and the ratio scratch/torch (below 1.0 = scratch faster).

    python benchmarks/scratch_vs_torch.py [--sizes 784,100,10] [--batches 32,128,512]
        [--optimizers sgd,adam] [--repeats 7] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# OpenBLAS reads its thread count when NumPy loads, so set it before `import numpy`
_THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
os.environ.setdefault("OPENBLAS_NUM_THREADS", _THREADS)

import numpy as np  # noqa: E402


def load_data(limit: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Normalized MNIST training rows, or random data of the same shape if MNIST is absent."""
    from braintank.errors import BraintankError
    from braintank.scratch.data import prepare_images

    try:
        from braintank.data import load_split

        images, labels = load_split("mnist", "train", allow_download=False)
        return prepare_images(images[:limit]), labels[:limit].copy(), "MNIST"
    except BraintankError:
        rng = np.random.default_rng(0)
        return (rng.standard_normal((limit, 784)).astype(np.float32),
                rng.integers(0, 10, limit), "random data")


def scratch_epoch(sizes, optimizer_name, lr, batch, x, y, order, state):
    from braintank.scratch import SoftmaxCrossEntropy, mlp
    from braintank.scratch.optim import make_optimizer

    if "model" not in state:
        state["model"] = mlp(sizes, seed=0)
        state["opt"] = make_optimizer(optimizer_name, lr)
        state["loss"] = SoftmaxCrossEntropy()
    model, opt, loss = state["model"], state["opt"], state["loss"]
    params, grads = [model.flat_params], [model.flat_grads]
    xb = np.empty((batch, x.shape[1]), dtype=x.dtype)
    yb = np.empty(batch, dtype=y.dtype)
    started = time.perf_counter()
    for start in range(0, len(order) - batch + 1, batch):
        idx = order[start:start + batch]
        np.take(x, idx, axis=0, out=xb)
        np.take(y, idx, out=yb)
        loss.forward(model.forward(xb), yb)
        model.backward(loss.backward())
        opt.step(params, grads)
    return time.perf_counter() - started


def torch_epoch(sizes, optimizer_name, lr, batch, x, y, order, state):
    import torch

    if "model" not in state:
        torch.manual_seed(0)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(torch.nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        state["model"] = torch.nn.Sequential(*layers)
        make = {"sgd": lambda p: torch.optim.SGD(p, lr=lr),
                "momentum": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9),
                "adam": lambda p: torch.optim.Adam(p, lr=lr)}[optimizer_name]
        state["opt"] = make(state["model"].parameters())
        state["x"], state["y"] = torch.from_numpy(x), torch.from_numpy(y)
    model, opt, tx, ty = state["model"], state["opt"], state["x"], state["y"]
    torder = torch.from_numpy(order)
    started = time.perf_counter()
    for start in range(0, len(order) - batch + 1, batch):
        idx = torder[start:start + batch]
        xb, yb = tx.index_select(0, idx), ty.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
    return time.perf_counter() - started


def compare(sizes, optimizer_name, batch, x, y, repeats) -> dict:
    lr = 1e-3 if optimizer_name == "adam" else 0.05
    rng = np.random.default_rng(1)
    scratch_state, torch_state, times = {}, {}, {"scratch": [], "torch": []}
    # one untimed warm-up epoch each: allocation, BLAS thread start-up, torch dispatch caches
    for rep in range(repeats + 1):
        order = rng.permutation(len(x))
        runs = [("scratch", scratch_epoch, scratch_state), ("torch", torch_epoch, torch_state)]
        if rep % 2:
            runs.reverse()  # alternate who goes first
        for name, fn, state in runs:
            seconds = fn(sizes, optimizer_name, lr, batch, x, y, order, state)
            if rep:
                times[name].append(seconds)
    scratch, torch_time = statistics.median(times["scratch"]), statistics.median(times["torch"])
    return {"batch": batch, "optimizer": optimizer_name, "scratch_s": scratch,
            "torch_s": torch_time, "ratio": scratch / torch_time,
            "ratio_best": min(times["scratch"]) / min(times["torch"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="784,100,10", help="layer sizes, comma-separated")
    parser.add_argument("--batches", default="32,128,512", help="mini-batch sizes to compare")
    parser.add_argument("--optimizers", default="sgd,adam", help="sgd, momentum and/or adam")
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs per engine")
    parser.add_argument("--limit", type=int, default=60000, help="training images per epoch")
    parser.add_argument("--threads", type=int, default=2, help="threads for both engines")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(",")]
    x, y, source = load_data(args.limit)
    print(f"{'-'.join(map(str, sizes))} MLP, float32, {len(x)} {source} images/epoch, "
          f"{args.threads} threads, median of {args.repeats} epochs (torch {torch.__version__},"
          f" numpy {np.__version__})")
    print(f"{'optimizer':>9} {'batch':>5} {'scratch s':>9} {'torch s':>8} {'ratio':>6} "
          f"{'ratio(best)':>11}")
    for optimizer_name in args.optimizers.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            r = compare(sizes, optimizer_name, batch, x, y, args.repeats)
            print(f"{optimizer_name:>9} {batch:>5} {r['scratch_s']:9.3f} {r['torch_s']:8.3f} "
                  f"{r['ratio']:6.2f} {r['ratio_best']:11.2f}", flush=True)


if __name__ == "__main__":
    main()
