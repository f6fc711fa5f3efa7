"""Entity resolution of the people named in the sources, on splink (DuckDB backend).

Input: one row per distinct *identity* (a name with the identifiers written next to it in
one source record: the holder of a statement, a counterparty, a phone in call records,
a roster row). Output: scored pairs with splink's match weight per comparison (the
analyst's "match card") and clusters with deterministic ids.

The model (Fellegi-Sunter, fixed parameters, no EM: the run is deterministic and its
weights can be read out loud to a review board):

=============  =========================================================  ==========
comparison     levels (m, u)                                              why
=============  =========================================================  ==========
id_number      same valid number (0.95, 1e-8); same as written but        a national
               invalid (0.01, 1e-8); one character apart (0.02, 1e-7)     id is one
                                                                          per person
phone          same, names agree or one record nameless (0.7, 1e-8);      strong, but
               same, different names (1e-3, 1e-3: weight 0);             families
               different (0.3, 1)                                         share
account        same, names agree or one record nameless (0.6, 1e-8);      strong, but
               same, different names (weight 0); different (0.4, 1)       cards are lent
name           same simplified name (0.80, 5e-4, term-frequency           a common
               adjusted: 王伟 counts for less than 欧阳修远); same            name alone
               pinyin (0.12, 8e-4); same surname, given-name pinyin one    is weak
               letter apart (0.03, 1e-3)
gender         same (0.995, 0.5); different (0.005, 0.5)
birth_date     same (0.95, 5e-5); different (0.05, 1)
contacts       (second look, :func:`contact_pairs`) people in common      a namesake
               with the record's circle: 3 or more (0.3, 1e-6); 2 (0.2,   shares
               1e-5); 1 (0.2, 2e-3); none (weight 0: absence is no        nobody's
               evidence)                                                  circle
=============  =========================================================  ==========

The prior (two random identities being the same person) is ``2 / n`` for ``n``
identities. The term frequencies of names are computed from the data: that is the only
data-driven part, and it is deterministic.

Clustering is greedy over pairs in decreasing match weight (ties by id), with
*cannot-link* constraints: two clusters are never joined when they hold different valid
ID numbers, different genders, different birth dates, or different names (simplified
and pinyin) unless the linking pair shares an ID number; an analyst's rejection is a
cannot-link too. A pair is merged automatically only when its probability reaches the
upper threshold **and** it shares a strong identifier (ID number, or a phone or account
given with the same name or by a nameless record): a name alone never merges two
records, so namesakes stay apart, and a phone two different names give (a family phone)
never merges them either. The same ID number under two different names is a typo or a
borrowed card as often as it is one person: such a pair goes to review. Identities with
neither a name nor an ID number (a phone in call records) join, last, the person whom
the most distinct source files give that identifier (a register and a carrier's
subscriber list outweigh one bank's account-opening form, however many cards it lists);
a tie is left for review. A named record no ID number anchors (a card that no
account-opening record ties to anyone) gets a second look with the people its records
are in touch with: the same name and two or more people in common merge it, after the
identifier merges, when they point to exactly one person (else review). Pairs between
the two thresholds, strong pairs without a shared identifier and the losing claimants of
an identifier go to the review queue.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["COMPARISONS", "score_pairs", "cluster", "Clustering", "IDENTITY_COLUMNS", "explain_pair",
           "contact_pairs", "name_frequencies"]

logger = logging.getLogger(__name__)

#: Columns of the identity table handed to :func:`score_pairs`.
IDENTITY_COLUMNS = ("uid", "ref", "name", "surname_py", "given_py", "py", "id_number", "id_any", "phone",
                    "account", "gender", "birth_date")
#: The comparisons, in the order of the match card.
COMPARISONS = ("id_number", "phone", "account", "name", "gender", "birth_date", "contacts")
_STRONG = {"id_number": (3, 2, 1), "phone": (3, 2), "account": (3, 2)}


def _level(cond: str, label: str, m: float, u: float, **kw: object) -> dict[str, object]:
    return {"sql_condition": cond, "label_for_charts": label, "m_probability": m, "u_probability": u, **kw}


def _null(col: str) -> dict[str, object]:
    return {"sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL", "label_for_charts": "missing",
            "is_null_level": True}


#: SQL: the two records' names agree (same simplified name or same pinyin).
NAMES_AGREE = "(name_l = name_r OR py_l = py_r)"
#: SQL: one of the two records has no name (a number in call records, a bare account).
NAMELESS = "(py_l IS NULL OR py_r IS NULL)"


def _shared(col: str, word: str, m: float, u: float) -> object:
    """A shared phone or account: strong when the names agree or one record has none;
    worth nothing when two different names give it (a family phone, a card lent to a
    spouse): the identifier then says "same household", not "same person"."""
    import splink.comparison_library as cl

    return cl.CustomComparison(output_column_name=col, comparison_levels=[
        _null(col),
        _level(f"{col}_l = {col}_r AND {NAMES_AGREE}", f"same {word}, same name", m, u),
        _level(f"{col}_l = {col}_r AND {NAMELESS}", f"same {word}, one record without a name", m, u),
        _level(f"{col}_l = {col}_r", f"same {word}, different names (shared in a family?)", 1e-3, 1e-3),
        _level("ELSE", f"different {word}s", 1.0 - m, 1.0 - u)])


def _contacts_comparison() -> object:
    import splink.comparison_library as cl

    shared = "len(list_intersect(contacts_l, contacts_r))"
    return cl.CustomComparison(output_column_name="contacts", comparison_levels=[
        _null("contacts"),
        _level(f"{shared} >= 3", "3 or more people in common", 0.30, 1e-6),
        _level(f"{shared} = 2", "2 people in common", 0.20, 1e-5),
        _level(f"{shared} = 1", "1 person in common", 0.20, 2e-3),
        # absence is no evidence: a card with a few transactions shares nobody's circle
        _level("ELSE", "no people in common", 0.30, 0.30)])


def _comparisons(contacts: bool = False) -> list[object]:
    import splink.comparison_library as cl

    return [*([_contacts_comparison()] if contacts else []),
        cl.CustomComparison(output_column_name="id_number", comparison_levels=[
            _null("id_any"),
            _level("id_number_l = id_number_r", "same valid ID number", 0.95, 1e-8),
            _level("id_any_l = id_any_r", "same ID number as written (invalid)", 0.01, 1e-8),
            _level("levenshtein(id_any_l, id_any_r) <= 1", "ID numbers one character apart", 0.02, 1e-7),
            _level("ELSE", "different ID numbers", 0.02, 1.0 - 2e-7),
        ]),
        _shared("phone", "phone", 0.7, 1e-8),
        _shared("account", "account", 0.6, 1e-8),
        cl.CustomComparison(output_column_name="name", comparison_levels=[
            _null("py"),
            _level("name_l = name_r", "same name", 0.80, 5e-4, tf_adjustment_column="name",
                   tf_adjustment_weight=1.0),
            _level("py_l = py_r", "same name in pinyin", 0.12, 8e-4),
            _level("surname_py_l = surname_py_r AND levenshtein(given_py_l, given_py_r) <= 1",
                   "same surname, given name one letter apart", 0.03, 1e-3),
            _level("ELSE", "different names", 0.05, 1.0 - 2.3e-3),
        ]),
        cl.CustomComparison(output_column_name="gender", comparison_levels=[
            _null("gender"), _level("gender_l = gender_r", "same gender", 0.995, 0.5),
            _level("ELSE", "different gender", 0.005, 0.5)]),
        cl.CustomComparison(output_column_name="birth_date", comparison_levels=[
            _null("birth_date"), _level("birth_date_l = birth_date_r", "same birth date", 0.95, 5e-5),
            _level("ELSE", "different birth dates", 0.05, 1.0 - 5e-5)]),
    ]


def name_frequencies(identities: pd.DataFrame) -> pd.DataFrame:
    """The term-frequency table of ``name`` as splink computes it (share of the named
    identities bearing each name): ``name, tf_name``."""
    nm = identities["name"].dropna()
    nm = nm[nm.astype(str) != ""]
    counts = nm.value_counts(sort=False)
    return pd.DataFrame({"name": counts.index.astype(object),
                         "tf_name": (counts.to_numpy() / max(len(nm), 1)).astype(float)})


def score_pairs(identities: pd.DataFrame, *, threshold: float = 0.01, prior: float | None = None,
                name_tf: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score the candidate pairs of identities with splink (DuckDB backend).

    Parameters
    ----------
    identities : DataFrame
        Columns :data:`IDENTITY_COLUMNS`; ``uid`` unique integers; missing values None.
        With a ``contacts`` column (lists of the people each identity's records are in
        touch with, see :func:`contact_pairs`), the comparison "people in common" is
        added and only identities with the same name or pinyin are compared.
    threshold : float
        Pairs below this match probability are not returned.
    prior : float, optional
        The probability of two random identities being the same person (default
        ``min(0.01, 2 / n)``).
    name_tf : DataFrame, optional
        Term frequencies of names (:func:`name_frequencies`; default: of ``identities``).

    Returns
    -------
    DataFrame
        ``uid_l, uid_r, match_weight, match_probability``, then per comparison its level
        (``gamma_<c>``, -1 = missing or not compared) and match weight (``mw_<c>``; for
        names the term frequency adjustment is added in), sorted by ``uid_l, uid_r``.
    """
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    missing = [c for c in IDENTITY_COLUMNS if c not in identities.columns]
    if missing:
        raise ParameterError.invalid("identities", "score_pairs", "a frame with columns "
                                     + ", ".join(IDENTITY_COLUMNS), missing)
    with_contacts = "contacts" in identities.columns
    cols = ["uid"] + [c for c in IDENTITY_COLUMNS if c not in ("uid", "ref")] + (["contacts"] if with_contacts else [])
    empty = pd.DataFrame(columns=["uid_l", "uid_r", "match_weight", "match_probability"]
                         + [f"gamma_{c}" for c in COMPARISONS] + [f"mw_{c}" for c in COMPARISONS])
    if len(identities) < 2:
        return empty
    df = identities[cols].rename(columns={"uid": "unique_id"}).astype(object)
    df = df.where(pd.notna(df), None)
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        db = DuckDBAPI(connection=con)
        sdf = db.register(df, table_name="identities")
        blocks: list[Any] = [block_on("py"), block_on("name")]
        if not with_contacts:
            blocks = [block_on("id_number"), block_on("id_any"), block_on("phone"), block_on("account"), *blocks]
        settings = SettingsCreator(
            link_type="dedupe_only",
            comparisons=_comparisons(with_contacts),  # type: ignore[arg-type]
            blocking_rules_to_generate_predictions=blocks,
            probability_two_random_records_match=min(0.01, 2.0 / len(df)) if prior is None else prior,
            retain_intermediate_calculation_columns=True,
            retain_matching_columns=True,
        )
        linker = Linker(sdf, settings, log_level=logging.WARNING)
        if name_tf is None:
            linker.table_management.compute_tf_table("name")
        else:
            linker.table_management.register_term_frequency_lookup(
                db.register(name_tf[["name", "tf_name"]], table_name="name_tf"), "name")
        pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    finally:
        con.close()
    if pred.empty:
        return empty
    out = pd.DataFrame({"uid_l": pred["unique_id_l"].astype("int64"), "uid_r": pred["unique_id_r"].astype("int64"),
                        "match_weight": pred["match_weight"].astype(float),
                        "match_probability": pred["match_probability"].astype(float)})
    for c in COMPARISONS:
        if f"gamma_{c}" not in pred.columns:  # not compared in this run
            out[f"gamma_{c}"], out[f"mw_{c}"] = -1, 0.0
            continue
        out[f"gamma_{c}"] = pred[f"gamma_{c}"].astype("int64")
        mw = pred[f"mw_{c}"].astype(float)
        if f"mw_tf_adj_{c}" in pred.columns:
            mw = mw + pred[f"mw_tf_adj_{c}"].astype(float).fillna(0.0)
        out[f"mw_{c}"] = mw.round(3)
    lo = np.minimum(out["uid_l"], out["uid_r"])
    hi = np.maximum(out["uid_l"], out["uid_r"])
    out["uid_l"], out["uid_r"] = lo, hi
    return out.sort_values(["uid_l", "uid_r"], kind="stable").reset_index(drop=True)


_LEVEL_WORDS = {
    "id_number": {3: "same valid ID number", 2: "same ID number as written (invalid)", 1: "ID numbers one character apart",
                  0: "different ID numbers"},
    "phone": {3: "same phone, same name", 2: "same phone, one record without a name",
              1: "same phone, different names (shared in a family?)", 0: "different phones"},
    "account": {3: "same account, same name", 2: "same account, one record without a name",
                1: "same account, different names (shared in a family?)", 0: "different accounts"},
    "name": {3: "same name", 2: "same name in pinyin", 1: "same surname, given name one letter apart",
             0: "different names"},
    "gender": {1: "same gender", 0: "different gender"},
    "contacts": {3: "3 or more people in common", 2: "2 people in common", 1: "1 person in common",
                 0: "no people in common"},
    "birth_date": {1: "same birth date", 0: "different birth dates"},
}


def explain_pair(row: Mapping[str, object]) -> str:
    """The match card of a scored pair in words: each comparison and its weight.

    Examples
    --------
    >>> explain_pair({"gamma_id_number": 3, "mw_id_number": 26.5, "gamma_name": 3, "mw_name": 6.2,
    ...               "gamma_phone": -1, "mw_phone": 0.0})
    'same valid ID number +26.5; same name +6.2'
    """
    parts = []
    for c in COMPARISONS:
        g = row.get(f"gamma_{c}")
        if g is None or int(g) < 0:  # type: ignore[call-overload]
            continue
        w = float(row.get(f"mw_{c}", 0.0))  # type: ignore[arg-type]
        parts.append(f"{_LEVEL_WORDS[c].get(int(g), c)} {w:+.1f}")  # type: ignore[call-overload]
    return "; ".join(parts)


def contact_pairs(identities: pd.DataFrame, labels: Mapping[int, str], edges: pd.DataFrame, *,
                  threshold: float = 0.01, prior: float | None = None,
                  name_tf: pd.DataFrame | None = None) -> pd.DataFrame:
    """A second look, with the people each record is in touch with, at the named
    identities that no ID number anchors (a card no account-opening record ties to
    anyone, known only by the name on its statements).

    Each identity gets the *contacts* of its cluster in ``labels``: the other clusters
    named in the same records (the two sides of a transfer, the two numbers of a call).
    A card that pays the husband and the son of the registered 吴海芳, under the name
    吴海芳, is hers; a namesake across town shares nobody's circle. Splink compares the
    same name or pinyin with the extra comparison "people in common".

    Parameters
    ----------
    identities : DataFrame
        As for :func:`score_pairs`.
    labels : mapping
        uid -> cluster id of a first clustering (:attr:`Clustering.labels`).
    edges : DataFrame
        ``uid_a, uid_b``: two identities named in one record.
    threshold, prior, name_tf
        As for :func:`score_pairs` (pass those of the first run: the same prior and
        name frequencies keep the weights comparable).

    Returns
    -------
    DataFrame
        Scored pairs as :func:`score_pairs` returns them, only those with at least one
        person in common and at least one side in a cluster without a valid ID number.
    """
    uid = identities["uid"].astype("int64").to_numpy()
    lab = pd.Series([labels[int(u)] for u in uid], index=uid)
    codes, uniq = pd.factorize(lab, sort=True)
    code = pd.Series(codes, index=uid)
    empty = score_pairs(identities.iloc[:0])
    e = pd.DataFrame({"a": code.reindex(edges["uid_a"].to_numpy()).to_numpy(),
                      "b": code.reindex(edges["uid_b"].to_numpy()).to_numpy()}).dropna().astype("int64")
    e = e[e["a"] != e["b"]]
    e = pd.concat([e, e.rename(columns={"a": "b", "b": "a"})], ignore_index=True).drop_duplicates()
    if e.empty:
        return empty
    nb = e.sort_values(["a", "b"]).groupby("a")["b"].agg(list)
    anchored = set(code[identities["id_number"].notna().to_numpy()].to_numpy().tolist())
    named = identities[identities["py"].notna().to_numpy()]
    ncode = code.reindex(named["uid"].astype("int64").to_numpy()).to_numpy()
    loose = named[~np.isin(ncode, list(anchored)) & np.isin(ncode, nb.index.to_numpy())]
    if loose.empty:
        return empty
    cand = named[named["py"].isin(set(loose["py"])) | named["name"].isin(set(loose["name"].dropna()))].copy()
    ccode = code.reindex(cand["uid"].astype("int64").to_numpy()).to_numpy()
    cand["contacts"] = [nb.get(c) for c in ccode]
    scored = score_pairs(cand, threshold=threshold, prior=prior, name_tf=name_tf)
    if scored.empty:
        return scored
    cl_, cr_ = code.reindex(scored["uid_l"]).to_numpy(), code.reindex(scored["uid_r"]).to_numpy()
    keep = ((scored["gamma_contacts"] >= 1).to_numpy() & (cl_ != cr_)
            & ~(np.isin(cl_, list(anchored)) & np.isin(cr_, list(anchored))))
    return scored[keep].reset_index(drop=True)


def strong(pairs: pd.DataFrame) -> np.ndarray:
    """Whether each pair shares a strong identifier (ID number, phone or account)."""
    m = np.zeros(len(pairs), dtype=bool)
    for c, levels in _STRONG.items():
        m |= pairs[f"gamma_{c}"].isin(levels).to_numpy()
    return m


@dataclass
class Clustering:
    """The result of :func:`cluster`.

    Attributes
    ----------
    labels : dict
        uid -> cluster id (``P`` + 10 hex digits of the SHA-1 of the cluster's smallest
        identity ref: stable for the same input and decisions).
    decided : DataFrame
        Every pair with ``decision``: ``auto`` (merged by the model), ``accept`` /
        ``reject`` (an analyst's decision, replayed), ``review`` (left for an analyst),
        ``blocked`` (would join two people who conflict), ``below`` (under the lower
        threshold); ``reason`` in words.
    """

    labels: dict[int, str]
    decided: pd.DataFrame
    conflicts: list[str] = field(default_factory=list)


class _Sets:
    def __init__(self, ids: Iterable[int], attrs: Mapping[int, dict[str, set[str]]]) -> None:
        self.parent = {i: i for i in ids}
        self.attrs = {i: {k: set(v) for k, v in attrs[i].items()} for i in self.parent}
        self.cannot: dict[int, set[int]] = {i: set() for i in self.parent}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def conflict(self, a: int, b: int, id_link: bool) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ""
        if any(self.find(x) == rb for x in self.cannot[ra]) or any(self.find(x) == ra for x in self.cannot[rb]):
            return "an analyst rejected this merge"
        A, B = self.attrs[ra], self.attrs[rb]
        for k, why in (("id", "different valid ID numbers"), ("gender", "different genders"),
                       ("birth", "different birth dates")):
            if A[k] and B[k] and A[k] != B[k]:
                return why
        if not id_link and A["names"] and B["names"] and not (A["names"] & B["names"]) and not (A["py"] & B["py"]):
            return "different names and no shared ID number"
        return ""

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        for k, v in self.attrs[rb].items():
            self.attrs[ra][k] |= v
        self.cannot[ra] |= self.cannot[rb]


def _join_in_common(sets: _Sets, pairs: list[int], ids_l: np.ndarray, ids_r: np.ndarray, decision: np.ndarray,
                    reason: np.ndarray) -> None:
    """Merge the same-name pairs with people in common where the side without an ID
    number points to one person only; the others go to review."""
    cands: dict[int, set[int]] = {}
    roots = {i: (sets.find(int(ids_l[i])), sets.find(int(ids_r[i]))) for i in pairs}
    for ra, rb in roots.values():
        for x, y in ((ra, rb), (rb, ra)):
            if x != y and not sets.attrs[x]["id"]:
                cands.setdefault(x, set()).add(y)
    for i in pairs:
        a, b = int(ids_l[i]), int(ids_r[i])
        why = sets.conflict(a, b, False)
        if sets.find(a) == sets.find(b):
            decision[i], reason[i] = "auto", "already in the same cluster"
        elif why:
            decision[i], reason[i] = "blocked", why
        elif any(len(cands.get(x, ())) > 1 for x in roots[i]):
            decision[i], reason[i] = "review", "same name and people in common, but with more than one person"
        else:
            sets.union(a, b)
            decision[i], reason[i] = "auto", "probability above the upper threshold: same name and people in common"


def _attrs(identities: pd.DataFrame) -> dict[int, dict[str, set[str]]]:
    out: dict[int, dict[str, set[str]]] = {}
    for r in identities.itertuples(index=False):
        def s(v: object) -> set[str]:
            return {str(v)} if v is not None and v == v and str(v) != "" else set()

        out[int(r.uid)] = {"id": s(r.id_number), "gender": s(r.gender), "birth": s(r.birth_date),
                           "names": s(r.name) if getattr(r, "name_is_han", True) else set(), "py": s(r.py)}
    return out


def cluster(identities: pd.DataFrame, pairs: pd.DataFrame, *, upper: float = 0.99, lower: float = 0.5,
            decisions: pd.DataFrame | None = None) -> Clustering:
    """Cluster identities from scored pairs, analyst decisions first.

    Parameters
    ----------
    identities : DataFrame
        As for :func:`score_pairs` (``uid``, ``ref`` and the identifiers), and optionally
        ``files`` (the distinct source files each identity was written in; by default the
        file of its ``ref``).
    pairs : DataFrame
        From :func:`score_pairs`.
    upper, lower : float
        Auto-merge and review thresholds on the match probability (``0 < lower <= upper <= 1``).
    decisions : DataFrame, optional
        Analyst decisions: ``ref_l, ref_r, decision`` (``accept`` or ``reject``), the
        latest per pair already chosen (see :mod:`umbrella_graph.ingest.review`).
        Accepted pairs are merged even when the model disagrees; rejected pairs are never
        merged, by any path.
    """
    if not (0.0 < lower <= upper <= 1.0):
        raise ParameterError.invalid("lower", "cluster", "a probability with 0 < lower <= upper <= 1", lower)
    uids = identities["uid"].astype("int64").tolist()
    refs = dict(zip(identities["uid"].astype("int64"), identities["ref"].astype(str), strict=True))
    by_ref = {v: k for k, v in refs.items()}
    sets = _Sets(uids, _attrs(identities))
    p = pairs.sort_values(["match_weight", "uid_l", "uid_r"], ascending=[False, True, True], kind="stable")
    p = p.reset_index(drop=True)
    decision = np.full(len(p), "below", dtype=object)
    reason = np.full(len(p), "", dtype=object)
    ids_l, ids_r = p["uid_l"].to_numpy(), p["uid_r"].to_numpy()
    # analyst decisions: rejections are cannot-links, acceptances are merged first
    dec: dict[tuple[int, int], str] = {}
    if decisions is not None and len(decisions):
        for r in decisions.itertuples(index=False):
            a, b = by_ref.get(str(r.ref_l)), by_ref.get(str(r.ref_r))
            if a is None or b is None:
                continue
            dec[(min(a, b), max(a, b))] = str(r.decision)
    for (a, b), d in sorted(dec.items()):
        if d == "reject":
            sets.cannot[sets.find(a)].add(b)
            sets.cannot[sets.find(b)].add(a)
    for (a, b), d in sorted(dec.items()):
        if d == "accept":
            sets.union(a, b)
    prob = p["match_probability"].to_numpy()
    is_strong = strong(p) if len(p) else np.zeros(0, dtype=bool)
    id_link = p["gamma_id_number"].isin((3, 2, 1)).to_numpy() if len(p) else np.zeros(0, dtype=bool)
    names_differ = p["gamma_name"].isin((1, 0)).to_numpy() if len(p) else np.zeros(0, dtype=bool)
    # same name (or pinyin) and two or more people in common: merged after the
    # identifier merges, and only where it points to one person
    in_common = (p["gamma_name"].isin((3, 2)).to_numpy() & (p["gamma_contacts"].to_numpy() >= 2)
                 if len(p) and "gamma_contacts" in p.columns else np.zeros(len(p), dtype=bool))
    contextual: list[int] = []
    # identities without a name or ID number (a phone in call records, an account) are
    # joined last: to the person whom most identities give that identifier, or, when two
    # people who conflict are tied for it (a family phone), left for review
    bare = set(identities.loc[identities["py"].isna() & identities["id_any"].isna(), "uid"].astype("int64"))
    deferred: dict[int, list[int]] = {}
    if "files" in identities.columns:
        files_of = {int(u): frozenset(f) for u, f in zip(identities["uid"], identities["files"], strict=True)}
    else:
        files_of = {int(u): frozenset([str(r).rsplit(":", 2)[0]]) for u, r in zip(identities["uid"], identities["ref"],
                                                                                     strict=True)}
    for i in range(len(p)):
        a, b = int(ids_l[i]), int(ids_r[i])
        got = dec.get((a, b))
        if got in ("accept", "reject"):
            decision[i], reason[i] = got, "analyst decision"
            continue
        if prob[i] < lower:
            continue
        if (a in bare) != (b in bare):
            deferred.setdefault(a if a in bare else b, []).append(i)
            continue
        why = sets.conflict(a, b, bool(id_link[i]))
        if sets.find(a) == sets.find(b):
            decision[i], reason[i] = "auto", "already in the same cluster"
        elif why:
            decision[i], reason[i] = "blocked", why
        elif id_link[i] and names_differ[i]:
            decision[i], reason[i] = "review", "same ID number, different names"
        elif prob[i] >= upper and is_strong[i]:
            sets.union(a, b)
            decision[i], reason[i] = "auto", "probability above the upper threshold with a shared identifier"
        elif prob[i] >= upper and in_common[i]:
            contextual.append(i)
        elif prob[i] >= upper:
            decision[i], reason[i] = "review", "name and attributes agree but no shared identifier"
        else:
            decision[i], reason[i] = "review", "between the thresholds"
    _join_in_common(sets, contextual, ids_l, ids_r, decision, reason)
    for u in sorted(deferred):
        edges = deferred[u]
        strong_edges = [i for i in edges if prob[i] >= upper and is_strong[i]]
        support: dict[int, frozenset[str]] = {}
        for i in strong_edges:
            other = int(ids_r[i]) if int(ids_l[i]) == u else int(ids_l[i])
            root = sets.find(other)
            support[root] = support.get(root, frozenset()) | files_of[other]
        ranked = sorted(((k, len(v)) for k, v in support.items()), key=lambda kv: (-kv[1], kv[0]))
        winner = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
        if winner is not None and sets.conflict(u, winner, False):
            winner = None
        for i in edges:
            other = int(ids_r[i]) if int(ids_l[i]) == u else int(ids_l[i])
            if winner is not None and sets.find(other) == winner and i in strong_edges:
                decision[i] = "auto"
                reason[i] = ("shared identifier, joined the person the most source files give it to"
                             if len(ranked) > 1 else "probability above the upper threshold with a shared identifier")
            elif i in strong_edges:
                decision[i] = "review"
                reason[i] = ("identifier shared by people who conflict (family phone?)" if winner is None
                             else "identifier also given by another person")
            else:
                decision[i], reason[i] = "review", "between the thresholds"
        if winner is not None:
            sets.union(u, winner)
    members: dict[int, list[int]] = {}
    for u in uids:
        members.setdefault(sets.find(u), []).append(u)
    labels: dict[int, str] = {}
    for ms in members.values():
        key = min(refs[m] for m in ms)
        cid = "P" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
        for m in ms:
            labels[m] = cid
    decided = p.copy()
    decided["decision"] = decision
    decided["reason"] = reason
    decided = decided.sort_values(["uid_l", "uid_r"], kind="stable").reset_index(drop=True)
    return Clustering(labels, decided)
