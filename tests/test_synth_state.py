"""The city generator holds no lazily created state (issue 17: ``steer_days`` used to be
created by ``_steer`` on first use, so ``_bribes`` depended on running after it).

Its state is declared once, on ``synth.city._state._State``: the accumulators are created
in ``__init__``, each phase assigns only declared attributes, and nothing reads an
attribute with a default (``getattr(self, name, default)``, ``hasattr``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from umbrella_graph.synth.city import CityKnobs
from umbrella_graph.synth.city._gen import _CityGen
from umbrella_graph.synth.city._state import _State

CITY = Path(__file__).resolve().parents[1] / "src" / "umbrella_graph" / "synth" / "city"


def _init_attributes() -> set[str]:
    tree = ast.parse((CITY / "_state.py").read_text(encoding="utf-8"))
    init = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    return {t.attr for n in ast.walk(init) for t in _targets(n)}


def _targets(node: ast.AST) -> list[ast.Attribute]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    return [a for t in targets for a in ast.walk(t)
            if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id == "self"]


DECLARED = set(_State.__annotations__)
CREATED = _init_attributes()


def test_accumulators_exist_right_after_init() -> None:
    gen = _CityGen(300, 2, 0, CityKnobs())
    assert set(vars(gen)) == CREATED
    assert gen.steer_days == {} and gen.pair_tag == {} and gen.tip_rows == []


@pytest.mark.parametrize("path", sorted(CITY.glob("*.py")), ids=lambda p: p.name)
def test_phases_assign_only_declared_attributes(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assigned = {(t.attr, t.lineno) for n in ast.walk(tree) for t in _targets(n)}
    if path.name == "_words.py":  # the record accumulator's own fields
        assigned = {(a, line) for a, line in assigned if a not in {"cols", "chunks", "hiding", "extra"}}
    undeclared = sorted((a, line) for a, line in assigned if a not in DECLARED | CREATED)
    assert not undeclared, f"{path.name}: attributes not declared on _State: {undeclared}"


@pytest.mark.parametrize("path", sorted(CITY.glob("*.py")), ids=lambda p: p.name)
def test_no_attribute_read_with_a_default(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lazy = [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in {"getattr", "hasattr", "setattr"}
            and n.args and isinstance(n.args[0], ast.Name) and n.args[0].id == "self"]
    assert not lazy, f"{path.name}: lines {lazy} read or create state on first use"


def test_a_built_city_holds_exactly_the_declared_state() -> None:
    gen = _CityGen(400, 2, 3, CityKnobs(outsider_share=0.5))
    gen.build()
    gen.member_truth()
    assert set(vars(gen)) == DECLARED | CREATED


def test_the_check_fails_on_lazy_state(tmp_path: Path) -> None:
    """A phase that creates state on first use is caught by the two AST checks."""
    src = ("class _X:\n    def _steer(self):\n"
           "        self.steer_later = getattr(self, 'steer_later', {})\n")
    tree = ast.parse(src)
    assigned = {t.attr for n in ast.walk(tree) for t in _targets(n)}
    assert assigned - (DECLARED | CREATED) == {"steer_later"}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
             and n.func.id == "getattr"]
    assert calls
