"""A case and its graph never change, so nothing derived from them goes stale."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd
import pytest

import umbrella_graph as ug
from umbrella_graph.scoring import _context, clear_cache, facts


def test_graph_attributes_cannot_be_reassigned(sample_graph: ug.CaseGraph) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sample_graph.edges = sample_graph.edges  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sample_graph.case = sample_graph.case  # type: ignore[misc]


def test_editing_the_edge_table_edits_a_copy(sample_graph: ug.CaseGraph) -> None:
    before = sample_graph.fingerprint
    edges = sample_graph.edges
    first = int(edges["src"].iat[0])
    edges.loc[0, "src"] = first + 1
    edges["strength"] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        sample_graph.edges["dst"].to_numpy()[0] = 0
    assert int(sample_graph.edges["src"].iat[0]) == first
    assert float(sample_graph.edges["strength"].sum()) > 0
    assert sample_graph.fingerprint == before


def test_editing_a_case_table_edits_a_copy(sample_graph: ug.CaseGraph) -> None:
    tx = sample_graph.case["transactions"]
    amount = float(tx["amount"].iat[0])
    tx.loc[0, "amount"] = amount * 1000
    tables = sample_graph.case.tables
    tables["transactions"].loc[0, "amount"] = 0.0
    assert float(sample_graph.case["transactions"]["amount"].iat[0]) == amount


def test_a_frame_taken_from_a_case_stays_editable() -> None:
    people = ug.case_from_frames(people=pd.DataFrame({"id": ["a"], "name": ["甲"]}))["people"]
    people.loc[0, "name"] = "乙"  # the case is gone: the copy is the user's to edit
    assert people.loc[0, "name"] == "乙"


def test_fingerprint_is_about_content(sample_case: ug.Case) -> None:
    a, b = ug.build_graph(sample_case), ug.build_graph(sample_case)
    assert a is not b and a.fingerprint == b.fingerprint
    tx = sample_case["transactions"]
    tx.loc[0, "amount"] = float(tx["amount"].iat[0]) + 1.0
    c = ug.build_graph(sample_case.with_tables(transactions=tx))
    assert c.fingerprint != a.fingerprint
    assert isinstance(a.fingerprint, str) and len(a.fingerprint) == 32


def test_fingerprint_hashes_every_kind_of_column(sample_case: ug.Case) -> None:
    """Text (Arrow buffers), nullable integers, times and floats: a change of one cell,
    a missing value for an empty text, or a byte moved between neighbouring cells gives
    another fingerprint; the same content in other Arrow chunks gives the same."""
    base = ug.build_graph(sample_case).fingerprint
    people = sample_case["people"]
    contacts = sample_case["contacts"]

    def fp(**tables: pd.DataFrame) -> str:
        return ug.build_graph(sample_case.with_tables(**tables)).fingerprint

    chunked = people.copy()
    half = len(people) // 2
    chunked["name"] = pd.concat([people["name"].iloc[:half], people["name"].iloc[half:]])  # two Arrow chunks
    assert fp(people=chunked) == base
    changed = []
    p = people.copy()
    p.loc[0, "name"] = str(p["name"].iat[0]) + "x"
    changed.append(fp(people=p))
    p = people.copy()
    a, b = str(p["name"].iat[0]), str(p["name"].iat[1])
    p.loc[0, "name"], p.loc[1, "name"] = a + b[:1], b[1:]  # the same bytes, cut elsewhere
    changed.append(fp(people=p))
    p = people.copy()
    p.loc[0, "phone"], p.loc[1, "phone"] = None, ""
    q = people.copy()
    q.loc[0, "phone"], q.loc[1, "phone"] = "", None
    changed += [fp(people=p), fp(people=q)]
    c = contacts.copy()
    c.loc[0, "count"] = pd.NA if pd.notna(c["count"].iat[0]) else 1
    changed.append(fp(contacts=c))
    c = contacts.copy()
    c.loc[0, "time"] = c["time"].iat[0] + pd.Timedelta(seconds=1)
    changed.append(fp(contacts=c))
    assert len({base, *changed}) == len(changed) + 1


def test_a_changed_case_scores_afresh(sample_case: ug.Case) -> None:
    """The old failure: an edited case returned the scores of the original."""
    g = ug.build_graph(sample_case)
    before = ug.score_umbrellas(g)
    top = before.iloc[0]
    tx = sample_case["transactions"]
    # drop every transfer: the money signal of every pair must fall to 0
    changed = ug.build_graph(sample_case.with_tables(transactions=tx.iloc[:0]))
    after = ug.score_umbrellas(changed)
    assert float(before["sig_money"].max()) > 0
    assert float(after["sig_money"].max()) == 0.0
    again = ug.score_umbrellas(g)
    pd.testing.assert_frame_equal(before, again)
    assert top["official_id"] in set(again["official_id"])


def test_the_cache_is_small_and_can_be_cleared(sample_case: ug.Case) -> None:
    clear_cache()
    assert len(facts._CACHE) == 0
    graphs = [ug.build_graph(sample_case.with_tables(
        transactions=sample_case["transactions"].iloc[: 10 * (k + 1)])) for k in range(facts.MAX_CACHED + 1)]
    for g in graphs:
        ug.pair_features(g, gangs=[g.gangs[0]])
    assert len(facts._CACHE) == facts.MAX_CACHED
    assert graphs[0].fingerprint not in facts._CACHE
    assert graphs[-1].fingerprint in facts._CACHE
    clear_cache()
    assert len(facts._CACHE) == 0


def test_context_is_frozen(sample_graph: ug.CaseGraph) -> None:
    ctx = facts.facts_of(sample_graph, "test")
    with pytest.raises(AttributeError):
        ctx.tx = ctx.tx  # type: ignore[misc]
    assert np.array_equal(ctx.official_pos, sample_graph.index_of(sample_graph.officials))


def test_shared_facts_are_computed_once_in_the_context(sample_graph: ug.CaseGraph) -> None:
    """The facts the signals share are fields of the frozen context, consistent with the case."""
    ctx = facts.facts_of(sample_graph, "test")
    assert np.array_equal(np.flatnonzero(ctx.off_index >= 0), np.sort(ctx.official_pos))
    assert np.array_equal(ctx.off_index[ctx.official_pos], np.arange(ctx.n_officials))
    assert np.array_equal(ctx.gang_index[ctx.gang_pos], np.arange(ctx.n_gangs))
    assert set(np.flatnonzero(ctx.in_circle)) == set(ctx.circle["person"])
    assert set(ctx.official_pos) <= set(np.flatnonzero(ctx.in_circle))  # every official is in his own circle
    ordinary = ctx.tx_ordinary
    assert not ordinary["kin"].any() and not ordinary["wage"].any()
    assert len(ordinary) == int((~ctx.tx["kin"] & ~ctx.tx["wage"]).sum()) < len(ctx.tx)


def test_the_gang_side_is_a_fact_of_the_context(sample_graph: ug.CaseGraph) -> None:
    """Computed once and read by every signal, not asked of gangside again by each."""
    from umbrella_graph.scoring.gangside import side_table

    ctx = facts.facts_of(sample_graph, "test")
    assert ctx.side is ctx.side is side_table(ctx)
    assert {"node", "gang", "conf", "conf_core", "weight", "kind"} <= set(ctx.side.columns)
    import ast
    from pathlib import Path

    scoring = Path(_context.__file__).parent
    for name in ("signals.py", "tipoff.py", "records.py", "evidence.py"):
        tree = ast.parse((scoring / name).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "gangside" not in imported, name


def test_a_graph_pickles_and_keeps_its_fingerprint(sample_graph: ug.CaseGraph) -> None:
    import copy
    import pickle

    back = pickle.loads(pickle.dumps(sample_graph))
    assert back.fingerprint == sample_graph.fingerprint
    assert back.case.equals(sample_graph.case)
    assert copy.deepcopy(sample_graph).fingerprint == sample_graph.fingerprint
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        back.nodes = back.nodes  # type: ignore[misc]


def test_case_attributes_are_read_only(sample_case: ug.Case) -> None:
    with pytest.raises(AttributeError):
        sample_case.name = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        sample_case.report = None  # type: ignore[misc,assignment]
    assert sample_case.name == "qinghe"


def test_a_case_pickled_by_0_1_still_loads(sample_case: ug.Case) -> None:
    """0.1 kept 'report' and 'name' as plain attributes; such a pickle still loads."""
    import pickle

    old = ug.Case.__new__(ug.Case)
    old.__dict__.update({"_tables": sample_case.tables, "report": sample_case.report, "name": "old"})
    back = pickle.loads(pickle.dumps(old))
    assert back.name == "old" and back.report is not None
    assert back.equals(sample_case)
