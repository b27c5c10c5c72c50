"""PPO: the clipped objective stops pushing a ratio past its clip, a short CartPole run
learns, its folder loads and resumes like the other agents'."""

from __future__ import annotations

import json

import torch

from braintank.cli.main import main
from braintank.rl import load_agent, ppo
from braintank.rl.a2c import ActorCritic
from braintank.rl.common import evaluate


def test_a_ratio_past_the_clip_gets_no_policy_gradient():
    """Where the ratio is already past the clip in the advantage's direction (far above
    1 + clip for a better-than-average action, far below 1 - clip for a worse one), the
    clipped surrogate is flat: with the value and entropy terms off, the actor stays put."""
    torch.manual_seed(0)
    net = ActorCritic(4, 2, [8])
    cfg = ppo.Config(env="CartPole-v1", minibatch=16, epochs=1, entropy_coef=0.0,
                     value_coef=0.0, clip=0.2)
    obs = torch.randn(16, 4)
    actions = torch.randint(0, 2, (16,))
    advantages = torch.linspace(1.0, 2.0, 16)  # normalised per minibatch: half below 0
    shift = torch.where(advantages > advantages.mean(), -2.0, 2.0)  # ratio e^2 or e^-2
    with torch.no_grad():
        log_probs = net.dist(obs).log_prob(actions) + shift
    batch = {"obs": obs, "actions": actions, "log_probs": log_probs,
             "advantages": advantages, "returns": torch.zeros(16)}
    before = [p.clone() for p in net.actor.parameters()]
    optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
    stats = ppo.ppo_epochs(net, optimizer, cfg, batch, torch.Generator().manual_seed(0))
    assert stats["clipped"] == 1.0
    assert all(torch.equal(a, b) for a, b in zip(before, net.actor.parameters(), strict=True))
    # and a ratio inside the clip does get a gradient
    batch["log_probs"] = log_probs - shift
    ppo.ppo_epochs(net, optimizer, cfg, batch, torch.Generator().manual_seed(0))
    assert not all(torch.equal(a, b)
                   for a, b in zip(before, net.actor.parameters(), strict=True))


def test_short_ppo_training_beats_random_and_resumes(tmp_path, capsys):
    out = tmp_path / "ppo"
    assert main(["rl", "train", "ppo", "--env", "CartPole-v1", "--steps", "12288", "--out",
                 str(out), "--no-progress"]) == 0
    first = json.loads((out / "agent.json").read_text())
    assert first["algo"] == "ppo" and first["config"]["num_envs"] == 8  # CartPole's preset
    assert evaluate(load_agent(out), 10, seed=1000)["mean_return"] > 60
    assert main(["rl", "train", "ppo", "--env", "CartPole-v1", "--steps", "16384",
                 "--resume", "--out", str(out), "--no-progress"]) == 0
    assert json.loads((out / "agent.json").read_text())["steps_done"] == 16384
