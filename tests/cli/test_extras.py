"""Install extras: a command whose extra is not installed says which one, in one line, exit 1."""

from __future__ import annotations

import sys

import pytest

from braintank.cli.main import main


@pytest.mark.parametrize("missing, argv, extra", [
    ("uvicorn", ["serve", "--port", "0"], "web"),
    ("gymnasium", ["rl", "train", "mc-blackjack", "--steps", "10", "--out", "{tmp}/agent"], "rl"),
])
def test_a_missing_extra_is_named_in_one_line(monkeypatch, capsys, tmp_path, missing, argv,
                                              extra):
    for name in list(sys.modules):
        if name == missing or name.startswith(missing + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # `import missing` now fails as if absent
    code = main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert f"needs the {extra} extra" in err and f"pip install 'braintank[{extra}]'" in err


def test_other_missing_modules_are_not_blamed_on_an_extra(monkeypatch):
    def broken(args):
        import braintank_no_such_module  # noqa: F401

    monkeypatch.setattr("braintank.cli.main.build_parser", lambda: _parser(broken))
    with pytest.raises(ModuleNotFoundError):
        main(["x"])


def _parser(func):
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--debug", action="store_true")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("x").set_defaults(func=func)
    return parser
