"""Count braintank's package-level import edges and cycles (a measure for the layering work).

Run: .venv/bin/python scripts/import_graph.py   (grimp comes with import-linter)
Prints each top-level package's imports of other top-level packages (lazy imports
included), the edge count, and every cycle among the top-level packages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = "braintank"


def package_edges(graph) -> dict[str, set[str]]:
    """Top-level subpackage -> the other top-level subpackages/modules it imports."""
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2:
            continue
        source = parts[1]
        for imported in graph.find_modules_directly_imported_by(module):
            target = imported.split(".")
            if len(target) >= 2 and target[1] != source:
                edges.setdefault(source, set()).add(target[1])
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(edges) | {t for ts in edges.values() for t in ts}):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    graph = grimp.build_graph(ROOT, cache_dir=None)
    edges = package_edges(graph)
    for source in sorted(edges):
        print(f"{source} -> {', '.join(sorted(edges[source]))}")
    print(f"module-level imports: {graph.count_imports()}")
    print(f"package-level edges: {sum(len(t) for t in edges.values())}")
    found = cycles(edges)
    print(f"package cycles (strongly connected groups): {len(found)}")
    for component in found:
        print("  " + " <-> ".join(component))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
