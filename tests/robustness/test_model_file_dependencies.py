"""One model-file module for training and inference alike, with dependencies pointing one way:
inference and training -> modelfile -> nets, scratch (issue 10, items 10-11, structure)."""

from __future__ import annotations

import ast
from pathlib import Path

import braintank

PACKAGE = Path(braintank.__file__).parent


def imported_modules(package: str) -> dict[str, set[str]]:
    """braintank modules each module of `package` imports, function-level imports included."""
    found = {}
    for path in sorted((PACKAGE / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
        found[str(path.relative_to(PACKAGE))] = {n for n in names if n.startswith("braintank.")}
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{module} imports {name}" for module, names in imported_modules(package).items()
            for name in sorted(names) if name.startswith(forbidden)]


def test_modelfile_depends_only_on_lower_layers():
    assert offending("modelfile", ("braintank.training", "braintank.inference",
                                   "braintank.cli", "braintank.sheets")) == []


def test_inference_reads_models_without_training():
    assert offending("inference", ("braintank.training",)) == []


def test_nothing_but_modelfile_reads_or_writes_the_pt_format():
    users = [f"{package}: {line}" for package in ("inference", "training", "cli")
             for line in offending(package, ("braintank.modelfile.torchfile",
                                             "braintank.modelfile.network"))]
    assert users == []  # they go through braintank.modelfile's load and save
    calls = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                   if "torch.load(" in path.read_text())
    # rl keeps its own agent files (it shares nothing with the digit code), loaded weights-only
    assert calls == ["modelfile/torchfile.py", "rl/common.py"]
    rl_loads = (PACKAGE / "rl" / "common.py").read_text().split("torch.load(")[1:]
    assert all("weights_only=True" in call.split(")")[0] for call in rl_loads)


def test_nets_modules_import_each_other_without_a_cycle():
    graph = {module.removesuffix(".py").replace("/", "."): {
        name for name in names if name.startswith("braintank.nets.")}
        for module, names in imported_modules("nets").items()}
    graph = {f"braintank.{module}": {n for n in names if n.count(".") == 2}
             for module, names in graph.items()}
    visiting, done = set(), set()

    def visit(module: str, trail: list[str]) -> None:
        assert module not in visiting, " -> ".join(trail + [module])
        if module in done:
            return
        visiting.add(module)
        for name in graph.get(module, ()):
            visit(name, trail + [module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])
    assert "braintank.nets.factory" not in graph["braintank.nets.ensemble"]


def test_rl_needs_nothing_from_the_digit_code():
    allowed = ("braintank.rl", "braintank.errors", "braintank.fileio", "braintank.progress",
               "braintank.config")
    used = [f"{module} imports {name}" for module, names in imported_modules("rl").items()
            for name in sorted(names) if not name.startswith(allowed)]
    assert used == []


def test_only_the_cli_imports_web_rl_and_experiments():
    for package in ("data", "nets", "modelfile", "training", "evaluation", "inference",
                    "scratch", "sheets"):
        assert offending(package, ("braintank.web", "braintank.rl",
                                   "braintank.experiments", "braintank.cli")) == [], package
