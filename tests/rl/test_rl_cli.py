"""`braintank rl` on the command line: shipped agents by name, GIFs, one-line errors."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from braintank.cli.main import main


def test_eval_prints_json_for_a_shipped_agent(capsys):
    assert main(["rl", "eval", "sarsa-cliff", "--episodes", "5", "--seed", "1000",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["episodes"] == 5 and result["mean_return"] == -17
    assert {"mean_return", "std_return", "seed", "env"} <= set(result)
    # a deterministic policy on a deterministic map: every episode alike, no spread
    assert result["ci95_low"] == result["ci95_high"] == -17


def test_eval_prints_the_95_percent_interval_of_the_mean(capsys):
    assert main(["rl", "eval", "reinforce-cartpole", "--episodes", "5", "--seed", "1000"]) == 0
    out = capsys.readouterr().out
    assert "95% interval of the mean" in out and "over 5 episodes" in out


def test_play_writes_an_animated_gif(tmp_path, capsys):
    gif = tmp_path / "clip.gif"
    assert main(["rl", "play", "q-learning-cliff", "--out", str(gif)]) == 0
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.n_frames == 14


@pytest.mark.parametrize("argv, message", [
    (["rl", "train", "trpo", "--out", "x"], "unknown algorithm 'trpo'"),
    (["rl", "train", "dqn", "--env", "Pong-v9", "--out", "x"], "does not run on environment"),
    (["rl", "train", "a2c", "--steps", "0", "--out", "x"], "--steps must be positive"),
    (["rl", "train", "a2c", "--set", "nope=1", "--out", "x"], "unknown a2c settings"),
    (["rl", "train", "a2c", "--set", "lr", "--out", "x"], "--set takes KEY=VALUE"),
    (["rl", "train", "a2c", "--set", "lr=-1", "--out", "x"], "learning rate"),
    (["rl", "train", "a2c", "--set", "optimizer=sgd", "--out", "x"], "optimizer"),
    (["rl", "train", "a2c", "--set", "lr=1e-3", "--resume", "--out", "x"], "being resumed"),
    (["rl", "eval", "no-such-agent"], "no shipped agent of that name"),
    (["rl", "eval", "sarsa-cliff", "--episodes", "0"], "--episodes must be at least 1"),
    (["rl", "play", "sarsa-cliff", "--out", "clip.png"], "must end in .gif"),
])
def test_bad_input_is_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_agent_folder_of_another_algorithm_is_refused(tmp_path, capsys):
    from braintank.rl import dqn
    from braintank.rl.agentfile import read_meta
    from braintank.rl.common import write_meta

    folder = tmp_path / "agent"
    folder.mkdir()
    write_meta(folder, {"algo": "a2c", "env": "CartPole-v1", "config": {}})
    with pytest.raises(Exception, match="holds an agent of algorithm a2c, not dqn"):
        dqn.load(folder)
    assert read_meta(folder)["algo"] == "a2c"
    assert main(["rl", "eval", str(tmp_path / "missing")]) == 2


def test_train_then_resume_keeps_the_settings_and_the_log(tmp_path, capsys):
    out = tmp_path / "pg"
    assert main(["rl", "train", "reinforce", "--steps", "3000", "--out", str(out),
                 "--no-progress"]) == 0
    first = json.loads((out / "agent.json").read_text())
    rows = (out / "returns.jsonl").read_text().splitlines()
    assert main(["rl", "train", "reinforce", "--steps", "6000", "--resume", "--out", str(out),
                 "--no-progress"]) == 0
    resumed = json.loads((out / "agent.json").read_text())
    assert resumed["steps_done"] >= 6000 > first["steps_done"] >= 3000
    assert resumed["config"]["lr"] == first["config"]["lr"]
    more = (out / "returns.jsonl").read_text().splitlines()
    assert more[:len(rows)] == rows and len(more) > len(rows)
    assert (out / "curve.png").stat().st_size > 0


def test_set_changes_any_setting_and_is_recorded(tmp_path, capsys):
    out = tmp_path / "pg"
    assert main(["rl", "train", "reinforce", "--steps", "500", "--set", "lr=0.02",
                 "--set", "lr_schedule=linear", "--set", "hidden=[8]", "--out", str(out),
                 "--no-progress"]) == 0
    config = json.loads((out / "agent.json").read_text())["config"]
    assert (config["lr"], config["lr_schedule"], config["hidden"]) == (0.02, "linear", [8])


def test_missing_box2d_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    """Box2D is installed here, so its absence is simulated where Gymnasium reports it."""
    import gymnasium

    def no_box2d(*args, **kwargs):
        raise gymnasium.error.DependencyNotInstalled('Box2D is not installed')

    monkeypatch.setattr(gymnasium, "make", no_box2d)
    out = tmp_path / "never-made"
    assert main(["rl", "train", "a2c", "--steps", "100", "--out", str(out)]) == 2
    assert not out.exists()  # nothing written before the environment is known to work
    err = capsys.readouterr().err
    assert 'pip install "gymnasium[box2d]"' in err and err.count("\n") == 1
