"""Progress bars (`braintank.progress`): a bar on a terminal; with stderr a log or a pipe, no
redrawn bar but at most one line per bar, and none for bars whose caller prints its own."""

from __future__ import annotations

import io
import subprocess
import sys

from tqdm import tqdm

from braintank.progress import LineBar, progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_per_bar_not_one_per_update(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    assert list(progress_bar(range(500), desc="epochs", unit="epoch")) == list(range(500))
    with progress_bar(total=1000, unit="step") as bar:
        for _ in range(1000):
            bar.update(1)
            bar.set_postfix(mean100="1.5")
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in log.getvalue()
    assert lines[0].startswith("epochs: 500/500 epoch in ")
    assert lines[1].startswith("1000/1000 step in ") and lines[1].endswith("[mean100=1.5]")


def test_bars_whose_caller_prints_a_line_stay_silent(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    bar = progress_bar(range(10), summary=False, desc="epoch 1/2", leave=False)
    assert isinstance(bar, LineBar) and sum(bar) == 45
    bar.close()
    assert log.getvalue() == ""


def test_a_terminal_gets_tqdm_and_disabled_bars_stay_disabled(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert isinstance(progress_bar(range(3)), tqdm)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    quiet = progress_bar(range(3), disable=True)
    assert isinstance(quiet, tqdm) and quiet.disable


def test_bytes_are_counted_in_units():
    bar = LineBar(total=3_000_000, unit="B", unit_scale=True, summary=False)
    bar.update(3_000_000)
    assert bar.line().startswith("3.00M/3.00MB in ")


def test_training_with_stderr_a_pipe_logs_one_line_not_a_bar(tmp_path):
    """A real command, stderr a pipe (as in CI or `2> log`): 20,000 episodes, one line."""
    out = subprocess.run([sys.executable, "-m", "braintank.cli.main", "rl", "train",
                          "mc-blackjack", "--steps", "20000", "--out", str(tmp_path / "agent")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    bar_lines = [line for line in out.stderr.split("\n") if "ep in " in line]
    assert len(bar_lines) == 1 and bar_lines[0].startswith("20000/20000 ep in ")
    assert "\r" not in out.stderr
