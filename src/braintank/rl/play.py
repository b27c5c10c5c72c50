"""One greedy episode of an agent, rendered to RGB frames and saved as an animated GIF."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from braintank.errors import BraintankError
from braintank.fileio import atomic_open
from braintank.rl.common import make_env, run_episode
from braintank.rl.registry import load_agent


def record_gif(agent_name: str | Path, out: Path, seed: int, max_frames: int = 400,
               fps: int = 25) -> dict:
    from PIL import Image

    if out.suffix.lower() != ".gif":
        raise BraintankError(f"--out {out} must end in .gif")
    agent = load_agent(agent_name)
    env = make_env(agent.env_id, render_mode="rgb_array")
    frames: list[np.ndarray] = []

    def keep(frame: np.ndarray) -> None:
        frames.append(frame)

    total, length = run_episode(agent, env, seed, on_frame=keep)
    env.close()
    step = max(1, int(np.ceil(len(frames) / max_frames)))  # thin long episodes out evenly
    images = [Image.fromarray(np.asarray(f, dtype=np.uint8)) for f in frames[::step]]
    with atomic_open(out, "wb") as handle:
        images[0].save(handle, format="GIF", save_all=True, append_images=images[1:],
                       duration=int(1000 / fps), loop=0)
    return {"frames": len(images), "return": total, "length": length}
