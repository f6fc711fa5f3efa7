"""triage_leads: leads about real umbrellas rank first, leads about officials with no gang
link rank low and say so, lead text never leaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import roc_auc_score

from umbrella_graph import CaseGraph, ParameterError, build_graph, case_from_frames
from umbrella_graph.cli import main
from umbrella_graph.investigate import triage_leads
from umbrella_graph.investigate.leads import LEAD_COLUMNS
from umbrella_graph.synth import generate_city

# from data/samples/qinghe/README.md
COP, LAND_HEAD, SECRETARY, HEAD_HEWAN = "P0241", "P0234", "P0061", "P0035"
HUB, INVESTIGATOR, CJ_HEAD = "P0225", "P0188", "P0147"


@pytest.fixture(scope="module")
def sample_leads(sample_graph: CaseGraph) -> pd.DataFrame:
    return triage_leads(sample_graph)


def test_sample_umbrellas_rank_above_confounders(sample_leads: pd.DataFrame) -> None:
    t = sample_leads
    assert list(t.columns) == list(LEAD_COLUMNS)
    assert t["rank"].tolist() == list(range(1, len(t) + 1))
    assert t["support"].is_monotonic_decreasing
    rank = dict(zip(t["subject_id"], t["rank"], strict=True))
    umbrellas = [COP, LAND_HEAD, SECRETARY, HEAD_HEWAN]
    confounders = [HUB, INVESTIGATOR, CJ_HEAD]
    assert max(rank[u] for u in umbrellas) < min(rank[c] for c in confounders)
    # the umbrellas' leads are backed by at least two independent channels
    assert (t.loc[t["subject_id"].isin(umbrellas), "n_channels"] >= 2).all()


def test_sample_no_link_leads_say_so(sample_leads: pd.DataFrame) -> None:
    t = sample_leads.set_index("subject_id")
    for who in (INVESTIGATOR, CJ_HEAD):
        assert t.loc[who, "n_channels"] == 0
        assert "no evidence link to any gang" in t.loc[who, "reason"]
        assert t.loc[who, "support"] < 0.15
    assert t.loc[COP, "channels"].split(";").count("tipoff") == 1
    assert "score 0.9" in t.loc[COP, "reason"]


def test_lead_text_never_copied(sample_graph: CaseGraph, sample_leads: pd.DataFrame) -> None:
    texts = sample_graph.case["leads"]["text"].dropna().astype(str)
    blob = sample_leads.to_csv(index=False)
    for text in texts:
        assert text not in blob
        assert text[:8] not in blob
    assert "text" not in sample_leads.columns


def test_rerun_is_identical(sample_graph: CaseGraph, sample_leads: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(triage_leads(sample_graph), sample_leads)


@pytest.mark.parametrize("difficulty", ["medium", "hard"])
def test_synthetic_leads_about_umbrellas_rank_first(difficulty: str) -> None:
    """Pooled over seeds: ROC-AUC of the support score for "the lead names a real
    umbrella of the named gang (of any gang when none is named)"."""
    ys, ss = [], []
    for seed in (0, 1, 2):
        city = generate_city(people=1200, gangs=4, seed=seed, difficulty=difficulty)
        t = triage_leads(build_graph(city.case))
        tr = city.truth[city.truth["label"] == 1]
        pos = set(zip(tr["official_id"], tr["gang_id"], strict=True))
        umb = set(tr["official_id"])
        y = [(s, g) in pos if isinstance(g, str) else s in umb
             for s, g in zip(t["subject_id"], t["gang_id"], strict=True)]
        ys.extend(y)
        ss.extend(t["support"].tolist())
        # leads about the same person share a group, numbered by their best rank
        first = t.drop_duplicates("subject_id")
        assert first["group"].tolist() == list(range(1, len(first) + 1))
    y_arr, s_arr = np.array(ys), np.array(ss)
    assert 0 < y_arr.sum() < len(y_arr)
    assert roc_auc_score(y_arr, s_arr) >= 0.85


def _small() -> CaseGraph:
    return build_graph(case_from_frames(
        people=pd.DataFrame({"id": ["o1", "o2", "x"], "name": ["甲", "乙", "丙"]}),
        officials=pd.DataFrame({"person_id": ["o1", "o2"], "position": ["镇长", "民警"]}),
        gangs=pd.DataFrame({"id": ["G1", "G2"], "name": ["甲帮", "乙帮"]}),
        leads=pd.DataFrame({"id": ["L1", "L2", "L3", "L4", "L5"], "date": ["2021-01-01"] * 5,
                            "source": ["来信", "来访", "来信", "12337", None],
                            "subject_id": ["o1", "o1", "o2", "x", "o2"],
                            "gang_id": ["G1", None, None, "G1", "G1"],
                            "text": ["秘密内容一", "秘密内容二", "秘密内容三", "秘密内容四", "秘密内容五"]})))


_SCORES = pd.DataFrame({
    "official_id": ["o1", "o1", "o2", "o2"], "gang_id": ["G1", "G2", "G1", "G2"],
    "score": [0.9, 0.2, 0.35, 0.05],
    "contrib_money": [0.5, 0.0, 0.0, 0.0], "contrib_tipoff": [0.3, 0.2, 0.0, 0.0],
    "contrib_leads": [0.1, 0.0, 0.3, 0.0], "contrib_jurisdiction": [0.0, 0.0, 0.05, 0.05],
})


def test_support_formula_and_groups() -> None:
    t = triage_leads(_small(), scores=_SCORES).set_index("lead_id")
    # L1: named gang G1, score 0.9 minus the leads' own 0.1, channels money + tipoff,
    # two sources name o1
    assert t.loc["L1", "pair_score"] == pytest.approx(0.8)
    assert t.loc["L1", "n_channels"] == 2 and t.loc["L1", "channels"] == "money;tipoff"
    assert t.loc["L1", "n_sources_official"] == 2
    assert t.loc["L1", "support"] == pytest.approx(0.7 * 0.8 + 0.2 * 2 / 4 + 0.1 * 1 / 2)
    # L2: no gang named: his best gang is G1
    assert t.loc["L2", "matched_gang_id"] == "G1"
    # L3/L5 name o2, whose only evidence is the leads themselves and his jurisdiction
    for lid in ("L3", "L5"):
        assert t.loc[lid, "n_channels"] == 0
        assert "no evidence link to any gang" in t.loc[lid, "reason"]
    # L4 names someone who holds no post
    assert not t.loc["L4", "is_official"]
    assert t.loc["L4", "support"] == 0.0 and "holds no post" in t.loc["L4", "reason"]
    assert t.loc["L4", "rank"] == 5
    assert t.loc["L1", "group"] == t.loc["L2", "group"] == 1
    assert t.loc["L3", "group"] == t.loc["L5", "group"] == 2
    assert "秘密" not in t.to_csv()


def test_scores_must_have_score_columns() -> None:
    with pytest.raises(ParameterError, match="The 'scores' parameter of triage_leads must be a score_umbrellas"):
        triage_leads(_small(), scores=pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="The 'graph' parameter of triage_leads"):
        triage_leads("graph")  # type: ignore[arg-type]


def test_no_leads_gives_empty_frame_with_columns() -> None:
    g = build_graph(case_from_frames(people=pd.DataFrame({"id": ["a"], "name": ["甲"]})))
    t = triage_leads(g, scores=_SCORES)
    assert list(t.columns) == list(LEAD_COLUMNS) and len(t) == 0


def test_cli_writes_csv(sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "leads.csv"
    res = CliRunner().invoke(main, ["leads", str(sample_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype={"lead_id": str})
    assert list(df.columns) == list(LEAD_COLUMNS)
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
