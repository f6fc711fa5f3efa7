"""Facts computed once, signals pure (issue 17, item 1).

The case's derived facts are one frozen object (:func:`umbrella_graph.scoring.facts.case_facts`)
with read-only arrays; every signal is a function of those facts returning its values and
records, writing nothing; the values a signal gives from the facts alone are the scored ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import umbrella_graph as ug
from umbrella_graph.scoring import pair_features
from umbrella_graph.scoring.facts import case_facts, facts_of
from umbrella_graph.scoring.signals import (
    EVIDENCE_SIGNALS,
    FEATURES,
    SignalResult,
    _Pairs,
    candidate_index,
)
from umbrella_graph.scoring.structure import signal_structure


def _digest(value: Any) -> str:
    """A content digest of one field of the facts (frames, arrays, sparse matrices...)."""
    h = hashlib.sha256()
    if isinstance(value, pd.DataFrame):
        h.update(pickle.dumps((list(value.columns), [value[c].to_numpy() for c in value.columns],
                               value.index.to_numpy())))
    elif sp.issparse(value):
        h.update(pickle.dumps((value.shape, value.data, value.indices, value.indptr)))
    elif isinstance(value, dict):
        for k in sorted(value):
            h.update(str(k).encode())
            h.update(_digest(value[k]).encode())
    elif isinstance(value, tuple):
        for v in value:
            h.update(_digest(v).encode())
    elif isinstance(value, ug.CaseGraph):
        h.update(value.fingerprint.encode())
    else:
        h.update(pickle.dumps(value))
    return h.hexdigest()


def _snapshot(facts: Any) -> dict[str, str]:
    return {f.name: _digest(getattr(facts, f.name)) for f in dataclasses.fields(facts)}


def _arrays(value: Any) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if sp.issparse(value):
        return [value.data, value.indices, value.indptr]
    if isinstance(value, tuple):
        return [a for v in value for a in _arrays(v)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    return []


@pytest.fixture(scope="module")
def facts(sample_graph: ug.CaseGraph) -> Any:
    return case_facts(sample_graph)


def _held(facts: Any) -> _Pairs:
    off, gang = candidate_index(facts)
    return _Pairs(off, gang, facts.n_officials, facts.n_gangs)


def test_facts_are_frozen_and_read_only(facts: Any) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.side = facts.side
    arrays = [a for f in dataclasses.fields(facts) for a in _arrays(getattr(facts, f.name))]
    assert len(arrays) > 20
    assert not any(a.flags.writeable for a in arrays)
    with pytest.raises(ValueError, match="read-only"):
        facts.off_index[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        facts.structure.data[0] = 0.0
    # the frames' columns are read-only views too (pandas copy-on-write)
    with pytest.raises(ValueError, match="read-only"):
        facts.money_records["w"].to_numpy()[0] = 0.0


def test_no_signal_mutates_the_facts(facts: Any) -> None:
    before = _snapshot(facts)
    held = _held(facts)
    results = [signal(facts, held) for _, signal in EVIDENCE_SIGNALS]
    results.append(signal_structure(facts, held, 0))
    assert all(isinstance(r, SignalResult) for r in results)
    assert _snapshot(facts) == before
    # and running them again gives the same values: nothing was remembered in between
    again = [signal(facts, held) for _, signal in EVIDENCE_SIGNALS]
    for r, s in zip(results, again, strict=False):
        assert r.values.keys() == s.values.keys()
        for k in r.values:
            np.testing.assert_array_equal(r.values[k], s.values[k])


def test_the_snapshot_sees_a_mutation(facts: Any) -> None:
    """The check above can fail: writing into a frame of the facts changes the snapshot."""
    copy = dataclasses.replace(facts, money_records=facts.money_records.copy())
    before = _snapshot(copy)
    copy.money_records["w"] = 0.0  # what a signal must never do
    assert _snapshot(copy) != before


def test_a_signal_from_the_facts_alone_equals_the_scored_value(sample_graph: ug.CaseGraph) -> None:
    fresh = case_facts(sample_graph)  # built here, not taken from the cache
    assert fresh is not facts_of(sample_graph, "test")
    X = pair_features(sample_graph)
    off, gang = candidate_index(fresh)
    assert X["official_id"].tolist() == fresh.official_ids[off].astype(str).tolist()
    assert X["gang_id"].tolist() == fresh.gang_ids[gang].astype(str).tolist()
    held = _held(fresh)
    seen: set[str] = set()
    for _, signal in EVIDENCE_SIGNALS:
        res = signal(fresh, held)
        for name, values in res.values.items():
            if name in FEATURES:
                np.testing.assert_allclose(np.round(values, 10), X[name].to_numpy(dtype=float), rtol=0, atol=0,
                                           err_msg=name)
                seen.add(name)
    res = signal_structure(fresh, held, 0)
    for name in ("ppr", "community", "brokerage", "link_aa", "link_ra"):
        np.testing.assert_allclose(np.round(res.values[name], 10), X[name].to_numpy(dtype=float), rtol=0, atol=0,
                                   err_msg=name)
        seen.add(name)
    assert seen == set(FEATURES)
    money = fresh.money_records
    assert float(X["money_count"].sum()) == pytest.approx(float(money["w"].sum()))
