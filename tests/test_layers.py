"""The import layers: data flows one way and nothing imports upward.

README and docs/architecture.md draw the package as::

    sources -> Case -> CaseGraph / Neo4j -> signals & scores -> explanations, views, reports

This test enforces that picture on the source tree with a small AST check (no third-party
tool, so it reads every ``import`` statement, including function-level ones and those under
``if TYPE_CHECKING:``; import-linter would need its own config file and a second source of
truth for the layers). The layers are the data below, lowest first:

* a module may import modules of its own layer or of lower layers, never of a higher one;
* inside one layer, components (top-level modules or subpackages) must not import each other
  in a cycle (sideways cycles are how layers silently merge);
* every module must belong to a layer, so a new package (``ingest/``, ``export/``, ...) must
  be placed deliberately.

``KNOWN_EXCEPTIONS`` lists the imports that still break the picture, each with its reason; a
test fails when one of them is no longer needed, so the list can only shrink.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "umbrella_graph"

#: The layers, lowest first. Names are components relative to the package: a top-level
#: module or a subpackage (``"io"`` covers ``umbrella_graph.io.*``); a longer dotted name
#: places one module apart from its package. ``""`` is the package facade
#: (``umbrella_graph/__init__.py``), which re-exports everything and so sits on top.
LAYERS: list[tuple[str, ...]] = [
    # the base: errors, shared formatting and masking, the schema and the domain words
    ("_version", "_compat", "_sensitive", "_format", "masking", "errors", "_memory", "schema", "domain"),
    # text parsers for cells (dates, amounts, numbers) and the header aliases
    ("parsing",),
    # the validated case
    ("case",),
    ("validate",),
    # sources: files, FtM, graph tables, CSV export (reads sources, hands them to validate)
    ("io",),
    # raw exports (bank statements, call records, registry extracts) resolved into a case
    ("ingest",),
    # the graph and what runs on it
    ("graph",),
    # the sparse algorithms' input checks, then the algorithms
    ("_matrices", "_brandes"),
    ("algorithms", "backends"),
    # the truncated walk (the input checks of _matrices, the personalisation of algorithms)
    ("walks",),
    # signals, scores, records; the investigations built on them
    ("scoring",),
    ("investigate",),
    # whole-network analysis (its readers are in io/edge_lists), any tool out (exports)
    ("network", "export"),
    # presentation: pages, the font, masking and display text shared by views and the
    # report; views are used by the report, never the other way round
    ("presentation",),
    ("views",),
    ("reporting",),
    # tools around the library: synthetic cities, accuracy metrics, baselines
    ("synth", "metrics", "baselines"),
    # the command line, then the facade
    ("cli",),
    ("",),
]

#: (importing module, imported module) -> why it is still allowed. Only shrink this list.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Violation:
    """One import that breaks the layers."""

    importer: str
    imported: str
    line: int
    kind: str  # "upward", "cycle" or "unassigned"

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported} ({self.kind})"


def module_names(src: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``src``: dotted name -> file."""
    out: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, modules: dict[str, Path], package: str) -> list[tuple[str, int]]:
    """The package modules that module ``name`` imports, with line numbers (all scopes)."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == package]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != package:
                continue
            # `from pkg import sub` imports the submodule pkg.sub when it is one
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
            found += [(s, node.lineno) for s in subs] or [(target, node.lineno)]
    return found


def component_of(module: str, layers: list[tuple[str, ...]], package: str) -> tuple[str, int] | None:
    """The component (longest listed prefix) of ``module`` and its layer index."""
    rel = module[len(package) + 1:] if module != package else ""
    best: tuple[str, int] | None = None
    for index, names in enumerate(layers):
        for comp in names:
            hit = rel == "" if comp == "" else (rel == comp or rel.startswith(comp + "."))
            if hit and (best is None or len(comp) > len(best[0])):
                best = (comp, index)
    return best


def check_layers(
    src: Path,
    package: str,
    layers: list[tuple[str, ...]],
    exceptions: dict[tuple[str, str], str] | None = None,
) -> tuple[list[Violation], set[tuple[str, str]]]:
    """Check ``package`` under ``src`` against ``layers``.

    Returns the violations and the exceptions that were actually used.
    """
    exceptions = exceptions or {}
    modules = module_names(src, package)
    violations: list[Violation] = []
    used: set[tuple[str, str]] = set()
    comp_edges: dict[str, dict[str, tuple[str, str, int]]] = {}
    for name, path in modules.items():
        mine = component_of(name, layers, package)
        if mine is None:
            violations.append(Violation(name, "-", 0, "unassigned"))
            continue
        for target, line in imports_of(name, path, modules, package):
            theirs = component_of(target, layers, package)
            if theirs is None or theirs[0] == mine[0]:
                continue  # unassigned targets are reported as modules; same component is fine
            if (name, target) in exceptions:
                used.add((name, target))
                continue
            if theirs[1] > mine[1]:
                violations.append(Violation(name, target, line, "upward"))
            elif theirs[1] == mine[1]:
                comp_edges.setdefault(mine[0], {}).setdefault(theirs[0], (name, target, line))
    # sideways cycles between components of one layer
    for start, outs in comp_edges.items():
        for mid, (name, target, line) in outs.items():
            if _reaches(comp_edges, mid, start):
                violations.append(Violation(name, target, line, "cycle"))
    return violations, used


def _reaches(edges: dict[str, dict[str, tuple[str, str, int]]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), {}):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


# --------------------------------------------------------------------------- the real tree


def test_no_module_imports_upward() -> None:
    violations, _ = check_layers(SRC, PACKAGE, LAYERS, KNOWN_EXCEPTIONS)
    assert not violations, "imports that break the layers:\n" + "\n".join(map(str, violations))


def test_every_known_exception_is_still_needed() -> None:
    _, used = check_layers(SRC, PACKAGE, LAYERS, KNOWN_EXCEPTIONS)
    stale = set(KNOWN_EXCEPTIONS) - used
    assert not stale, f"remove these exceptions from KNOWN_EXCEPTIONS, the imports are gone: {sorted(stale)}"


def test_every_component_is_a_real_module() -> None:
    modules = module_names(SRC, PACKAGE)
    for names in LAYERS:
        for comp in names:
            full = PACKAGE if comp == "" else f"{PACKAGE}.{comp}"
            assert full in modules, f"layer component {comp!r} names no module"


# --------------------------------------------------------------------------- the check can fail


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "toy" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


TOY_LAYERS: list[tuple[str, ...]] = [("base",), ("mid", "side"), ("top",), ("",)]


def test_toy_package_that_follows_the_layers_passes(tmp_path: Path) -> None:
    src = _write_package(tmp_path, {
        "__init__.py": "from .top import run\n",
        "base.py": "X = 1\n",
        "mid/__init__.py": "from ..base import X\n",
        "side.py": "from .mid import X\n",
        "top.py": "from . import mid\nfrom toy.side import X\n\ndef run():\n    return X\n",
    })
    violations, _ = check_layers(src, "toy", TOY_LAYERS)
    assert violations == []


@pytest.mark.parametrize(
    ("rel", "source", "imported", "kind"),
    [
        # function-level relative import of a higher layer
        ("base.py", "def f():\n    from .top import run\n    return run\n", "toy.top", "upward"),
        # absolute import of the facade from inside the package
        ("mid/__init__.py", "from toy import run\n", "toy", "upward"),
        # `from . import sub` resolves to the submodule
        ("base.py", "from . import mid\n", "toy.mid", "upward"),
        # a sideways cycle inside one layer
        ("mid/__init__.py", "from ..side import Y\n", "toy.side", "cycle"),
        # an import inside `if TYPE_CHECKING:` counts too
        ("base.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import toy.top\n",
         "toy.top", "upward"),
    ],
)
def test_toy_package_with_a_bad_import_fails(tmp_path: Path, rel: str, source: str, imported: str,
                                             kind: str) -> None:
    files = {
        "__init__.py": "from .top import run\n",
        "base.py": "X = 1\n",
        "mid/__init__.py": "from ..base import X\n",
        "side.py": "from .mid import X\nY = 2\n",
        "top.py": "def run():\n    return 1\n",
    }
    files[rel] = source
    violations, _ = check_layers(_write_package(tmp_path, files), "toy", TOY_LAYERS)
    assert any(v.imported == imported and v.kind == kind for v in violations), violations


def test_unassigned_module_fails(tmp_path: Path) -> None:
    src = _write_package(tmp_path, {"__init__.py": "", "base.py": "", "mid/__init__.py": "",
                                    "side.py": "", "top.py": "", "newpkg/__init__.py": ""})
    violations, _ = check_layers(src, "toy", TOY_LAYERS)
    assert [(v.importer, v.kind) for v in violations] == [("toy.newpkg", "unassigned")]


def test_upward_import_added_to_the_real_tree_fails(tmp_path: Path) -> None:
    """A copy of the real package with one function-level upward import added fails."""
    shutil.copytree(SRC / PACKAGE, tmp_path / PACKAGE)
    schema = tmp_path / PACKAGE / "schema.py"
    schema.write_text(schema.read_text(encoding="utf-8")
                      + "\n\ndef _upward():\n    from .scoring import score_umbrellas\n"
                      "    return score_umbrellas\n", encoding="utf-8")
    violations, _ = check_layers(tmp_path, PACKAGE, LAYERS, KNOWN_EXCEPTIONS)
    assert [(v.importer, v.imported, v.kind) for v in violations] == [
        ("umbrella_graph.schema", "umbrella_graph.scoring", "upward")]


# --------------------------------------------------------------------------- module cycles

#: Module pairs allowed to import each other (in some scope). Only shrink this list.
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_cycles(src: Path, package: str) -> list[list[str]]:
    """Cycles of modules importing each other, in any scope (function-level imports too).

    A package's own ``__init__`` imported by its submodules does not count (that is how
    a submodule reaches a sibling through the package).
    """
    modules = module_names(src, package)
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        for target, _ in imports_of(name, path, modules, package):
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != name and not name.startswith(target + "."):
                edges.setdefault(name, set()).add(target)
    cycles: list[list[str]] = []
    # the tree is small: look for a path back from every edge (every cycle has an edge
    # to an alphabetically later module, so checking those finds each cycle)
    for a, outs in sorted(edges.items()):
        for b in sorted(outs):
            back = _module_path(edges, b, a) if a < b else None
            if back is not None:
                cycles.append([a, *back])
    return cycles


def _module_path(edges: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    prev: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        cur = todo.pop(0)
        if cur == goal:
            path = [cur]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for nxt in sorted(edges.get(cur, ())):
            if nxt not in prev:
                prev[nxt] = cur
                todo.append(nxt)
    return None


def test_no_module_import_cycles() -> None:
    """score -> model -> signal_defs: the scorer and the classifier no longer import each other."""
    cycles = [c for c in module_cycles(SRC, PACKAGE) if frozenset(c[:2]) not in KNOWN_CYCLES]
    assert cycles == [], "modules importing each other:\n" + "\n".join(" -> ".join(c) for c in cycles)
    modules = module_names(SRC, PACKAGE)
    model = modules["umbrella_graph.scoring.model"]
    assert "umbrella_graph.scoring.score" not in {t for t, _ in imports_of(
        "umbrella_graph.scoring.model", model, modules, PACKAGE)}


def test_every_known_cycle_is_still_there() -> None:
    found = {frozenset(c[:2]) for c in module_cycles(SRC, PACKAGE)}
    assert found >= KNOWN_CYCLES, f"remove from KNOWN_CYCLES: {KNOWN_CYCLES - found}"


def test_module_cycle_check_can_fail(tmp_path: Path) -> None:
    src = _write_package(tmp_path, {
        "__init__.py": "",
        "score.py": "from .model import fit\n",
        "model.py": "def fit():\n    from .score import run\n    return run\n",
        "other.py": "from . import score\n",
    })
    assert module_cycles(src, "toy") == [["toy.model", "toy.score", "toy.model"]]
