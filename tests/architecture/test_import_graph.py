"""The architecture, enforced: imports flow certify -> proofs -> numerics, with no cycles.

Every ``import`` statement of the three packages counts, including those inside functions
(a lazy import is still a dependency). Rules:

* no cycle between modules;
* ``numerics`` never imports ``proofs`` or ``certify``; ``proofs`` never imports ``certify``;
* ``numerics.arith`` (the rounding leaf) imports only the standard library, numpy, python-flint
  and other ``numerics.arith`` modules;
* ``proofs`` and ``numerics`` outside ``numerics.empirical`` / ``numerics.nonsmooth`` never
  import torch at module level (``certify --help`` and the symbolic layer stay light).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("certify", "proofs", "numerics")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            out[_module_name(path)] = path
    return out


MODULES = _modules()


def _resolve(module: str, level: int, current: str, is_package: bool) -> str:
    if level == 0:
        return module
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    for node in tree.body:  # imports under a module-level `if TYPE_CHECKING:` do not run
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                top.discard(id(sub))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, id(node) in top) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node.module or "", node.level, name, path.name == "__init__.py")
            for alias in node.names:  # `from pkg import module` names a module
                full = f"{target}.{alias.name}"
                out.append((full if full in MODULES else target, id(node) in top))
    return out


def _project_target(imported: str) -> str | None:
    """The project module an import refers to (longest known prefix), or None."""
    parts = imported.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


GRAPH = {name: sorted({t for imp, _ in _imports(name, path)
                       if (t := _project_target(imp)) and t != name})
         for name, path in MODULES.items()}


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, comps, counter = {}, {}, set(), [], [], [0]

    def strongconnect(v):
        work = [(v, iter(graph.get(v, ())))]
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]; counter[0] += 1
                    stack.append(w); on_stack.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop(); on_stack.discard(w); comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

    for v in graph:
        if v not in index:
            strongconnect(v)
    return comps


def _is_package_init(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def test_no_import_cycles():
    graph = {m: [t for t in deps if not _is_package_init(t) or t.startswith(m)]
             for m, deps in GRAPH.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize("lower, upper", [("numerics", "proofs"), ("numerics", "certify"),
                                          ("proofs", "certify")])
def test_no_upward_imports(lower, upper):
    bad = [(m, t) for m, deps in GRAPH.items() if m.split(".")[0] == lower
           for t in deps if t.split(".")[0] == upper]
    assert bad == []


ARITH_ALLOWED = {"numpy", "flint"}


def test_arith_is_a_leaf():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    bad = []
    for name, path in MODULES.items():
        if not name.startswith("numerics.arith"):
            continue
        for imported, _ in _imports(name, path):
            root = imported.split(".")[0]
            if imported.startswith("numerics.arith") or root in stdlib or root in ARITH_ALLOWED:
                continue
            bad.append((name, imported))
    assert bad == []


def test_symbolic_and_rigorous_layers_import_no_torch_at_module_level():
    light = [m for m in MODULES if m.split(".")[0] in ("proofs", "numerics")
             and not m.startswith(("numerics.empirical", "numerics.nonsmooth."))]
    bad = [(m, imp) for m in light for imp, top in _imports(m, MODULES[m])
           if top and imp.split(".")[0] == "torch"]
    assert bad == []


def test_the_graph_sees_lazy_imports():
    """Guard for the checker itself: a function-level import is an edge."""
    assert "numerics.linalg.spectral" in GRAPH["proofs.two_layer_quantities"] or any(
        "numerics" in t for t in GRAPH["proofs.two_layer_quantities"])
    cyclic = {"a": ["b"], "b": ["a"], "c": []}
    assert _cycles(cyclic) == [["a", "b"]]


INDEPENDENT_ALLOWED = {"numpy", "flint"}


def test_the_independent_checker_imports_nothing_of_the_producer():
    """certify.independent is the trusted base of `certify check --independent`: only the standard
    library, numpy, python-flint and its own modules (docs/independent_checker.md)."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    modules = [m for m in MODULES if m.startswith("certify.independent")]
    assert len(modules) >= 5
    bad = []
    for name in modules:
        for imported, _ in _imports(name, MODULES[name]):
            root = imported.split(".")[0]
            if imported.startswith("certify.independent") or root in stdlib or root in INDEPENDENT_ALLOWED:
                continue
            bad.append((name, imported))
    assert bad == []


def test_the_independence_check_would_see_a_producer_import(tmp_path):
    """Guard for the test above: an import of the producer is an edge it reports."""
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from numerics.linalg.spectral import lambda_min_enclosure\n")
    assert ("numerics.linalg.spectral", False) in _imports("certify.independent.probe", path)
