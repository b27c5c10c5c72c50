"""`braintank data`: where datasets are, fetching them, and checking them."""

from __future__ import annotations

import argparse

from braintank.data.registry import ABOUT


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("data", help="locate, download and verify datasets")
    sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    for name, text in (("info", "show where a dataset is found and its statistics"),
                       ("download", "download a dataset into the cache (verified by SHA-256)"),
                       ("verify", "check a dataset's files: format, sizes and SHA-256")):
        q = sub.add_parser(name, help=text)
        q.add_argument("--dataset", default="mnist", help="; ".join(
            f"{name}: {about}" for name, about in ABOUT.items()))
        q.add_argument("--data-dir", help="folder holding the dataset (or its parent)")
        q.set_defaults(func=run)
    q = sub.add_parser("samples", help="write MNIST test digits as photo-like PNG files")
    q.add_argument("--out", required=True, help="folder for the PNG files")
    q.add_argument("--count", type=int, default=8, help="how many images (default 8)")
    q.add_argument("--seed", type=int, default=0, help="which digits and renderings")
    q.add_argument("--data-dir", help="folder holding the dataset (or its parent)")
    q.set_defaults(func=run_samples)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def run_samples(args: argparse.Namespace) -> int:
    from braintank.data.render import write_samples
    from braintank.errors import BraintankError

    if not 1 <= args.count <= 10000:
        raise BraintankError(f"--count must be between 1 and 10000, got {args.count}")
    for path in write_samples(args.out, args.count, args.seed, args.data_dir):
        print(path)
    return 0


def run_optdigits(args: argparse.Namespace) -> int:
    """optdigits has its own format (three text files of 32x32 bitmaps) and reader."""
    import numpy as np

    from braintank.data.optdigits import SPLITS, find_split_file, load_optdigits
    from braintank.data.optdigits_download import download_optdigits

    missing = [s for s in SPLITS if find_split_file(s, args.data_dir) is None]
    if missing and args.data_command != "verify":
        download_optdigits(args.data_dir)
    for split in SPLITS:
        data = load_optdigits(split, args.data_dir)
        line = f"optdigits {split}: {len(data.labels)} bitmaps 32x32"
        if args.data_command == "info":
            counts = " ".join(str(c) for c in np.bincount(data.labels, minlength=10))
            line += f", ink share {data.bitmaps.mean():.4f}, label counts {counts}"
        if args.data_command == "verify":
            line += " - OK (SHA-256 of the digits verified)"
        print(line)
    print(f"found in {find_split_file('tra', args.data_dir).parent}")
    return 0


def run_mfeat(args: argparse.Namespace) -> int:
    """mfeat-pix: one text file of 2,000 digits in 16x15 grey levels, its own reader."""
    import numpy as np

    from braintank.data.mfeat import download_mfeat, find_file, load_mfeat

    if find_file(args.data_dir) is None and args.data_command != "verify":
        download_mfeat(args.data_dir)
    data = load_mfeat(args.data_dir)
    line = f"mfeat: {len(data.labels)} digits 16x15, grey levels 0-6"
    if args.data_command == "info":
        counts = " ".join(str(c) for c in np.bincount(data.labels, minlength=10))
        line += f", ink share {data.as_ink().mean():.4f}, label counts {counts}"
    if args.data_command == "verify":
        line += " - OK (SHA-256 verified)"
    print(line)
    print(f"found in {find_file(args.data_dir).parent}")
    return 0


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from braintank.data import load_split
    from braintank.data.download import download
    from braintank.data.registry import candidate_dirs, check_known, find_complete, locate
    from braintank.data.transforms import dataset_stats

    text_format = {"optdigits": run_optdigits, "mfeat": run_mfeat}  # TEXT_DATASETS' readers
    if check_known(args.dataset) in text_format:
        return text_format[args.dataset](args)
    if args.data_command == "download":
        folder = find_complete(args.dataset, candidate_dirs(args.dataset, args.data_dir))
        if folder is None:
            folder = download(args.dataset, args.data_dir)
        print(f"{args.dataset}: {folder}")
        return 0
    for split in ("train", "test"):
        images, labels = load_split(args.dataset, split, args.data_dir,
                                    allow_download=args.data_command == "info")
        line = f"{args.dataset} {split}: {len(labels)} images {images.shape[1]}x{images.shape[2]}"
        if args.data_command == "info":
            mean, std = dataset_stats(images)
            counts = " ".join(str(c) for c in np.bincount(labels, minlength=10))
            line += f", pixel mean {mean:.4f} std {std:.4f}, label counts {counts}"
        print(line + (" - OK (SHA-256 verified)" if args.data_command == "verify" else ""))
    print(f"found in {locate(args.dataset, args.data_dir)}")
    return 0
