"""Umbrella scoring: typed evidence signals, one defensible score per official x gang
pair, explanations with record-level evidence, and a supervised classifier.

* :func:`pair_features`: the raw evidence features of the pairs with an evidence path;
* :func:`candidate_pairs`: those pairs (found from the gang's side), every other pair
  having zero evidence by construction;
* :func:`infer_gang_side` / :func:`gang_companies`: who and what acts for a gang beyond
  its member list, with a confidence;
* :func:`score_umbrellas`: the score (unsupervised noisy-OR of the signals, or a fitted
  :class:`UmbrellaClassifier`), with every signal's value and contribution;
* :func:`explain`: the signals and the evidence paths of one pair, each hop citing its
  records (file, row, id, time, amount);
* :func:`signal_records`: the records each signal of a pair used (and left out, with
  the reason);
* :func:`score_in_neo4j`: the score of a case stored in Neo4j, the server selecting the
  records and computing the aggregates (handed over as :class:`PrecomputedFacts`);
* :func:`tipoff_table`: the one tip-off test, shared with
  :func:`umbrella_graph.investigate.find_tipoffs`;
* :func:`clear_cache`: forget the prepared cases (at most two are kept, keyed by
  :attr:`~umbrella_graph.CaseGraph.fingerprint`).

See docs/signals.md for what each signal measures, why, and how it fails.
"""

from __future__ import annotations

from .candidates import candidate_pairs
from .evidence import EvidencePath, Explanation, Hop, explain
from .facts import clear_cache, tipoff_table
from .features import pair_features
from .gangside import gang_companies, infer_gang_side
from .model import UmbrellaClassifier, design_matrix
from .precomputed import PrecomputedFacts
from .pushed import score_in_neo4j
from .records import RECORD_COLUMNS, signal_records
from .score import score_umbrellas
from .signal_defs import SIGNALS, Signal, signal_values
from .signals import FEATURE_DOCS, FEATURES

__all__ = [
    "pair_features",
    "candidate_pairs",
    "infer_gang_side",
    "gang_companies",
    "score_umbrellas",
    "score_in_neo4j",
    "PrecomputedFacts",
    "signal_values",
    "explain",
    "signal_records",
    "RECORD_COLUMNS",
    "tipoff_table",
    "Explanation",
    "EvidencePath",
    "Hop",
    "UmbrellaClassifier",
    "design_matrix",
    "SIGNALS",
    "Signal",
    "FEATURES",
    "FEATURE_DOCS",
    "clear_cache",
]
