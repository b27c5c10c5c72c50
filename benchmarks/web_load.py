"""Load on `braintank serve`: concurrent clients posting predictions to a real server.

Starts `braintank serve` on 127.0.0.1 (a fresh store in a temporary folder), then N clients
each post one digit image to /api/predict in a loop for the given time, every request on its
own keep-alive connection pool of one. Reports requests, errors (any non-200 or connection
failure), throughput and latency percentiles. A benchmark, not a pass/fail timing.
Usage: python benchmarks/web_load.py [--clients 50] [--seconds 30] [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

SRC = Path(__file__).resolve().parents[1] / "src"


def digit_png() -> bytes:
    """A 7 drawn as on the draw page: black strokes on a 280x280 white canvas."""
    canvas = np.full((280, 280), 255, np.uint8)
    canvas[60:78, 70:210] = 0
    for y in range(78, 230):
        x = int(210 - (y - 78) * 0.55)
        canvas[y, x - 9:x + 9] = 0
    buffer = io.BytesIO()
    Image.fromarray(canvas).save(buffer, "PNG")
    return buffer.getvalue()


def start_server(folder: Path, model: str | None) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "braintank.cli.main", "serve", "--port", str(port),
               "--db", str(folder / "load.db")] + (["--model", model] if model else [])
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


async def client(url: str, image: bytes, until: float, latencies: list, errors: list) -> None:
    async with httpx.AsyncClient(timeout=60) as session:
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                answer = await session.post(url + "/api/predict",
                                            files=[("images", ("seven.png", image, "image/png"))])
                ok = answer.status_code == 200 and answer.json()["predictions"][0]["digit"] == 7
            except httpx.HTTPError as exc:
                ok, answer = False, exc
            if ok:
                latencies.append(time.perf_counter() - start)
            else:
                errors.append(str(getattr(answer, "status_code", answer)))


async def load(url: str, clients: int, seconds: float) -> tuple[list, list, float]:
    image = digit_png()
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(client(url, image, until, latencies, errors)
                           for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--model", help="model file (default: the shipped model)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder), args.model)
        try:
            latencies, errors, elapsed = asyncio.run(load(url, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(30)
    result = {
        "clients": args.clients, "seconds": round(elapsed, 1),
        "requests": len(latencies) + len(errors), "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
