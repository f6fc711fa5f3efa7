"""Input checks shared by the sparse algorithms (:mod:`umbrella_graph.algorithms`,
:mod:`umbrella_graph.walks`): a strength matrix as a clean float64 CSR matrix, its
symmetrisation, and the checks of node positions and numeric parameters. Private: the
public functions name themselves in the errors raised here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .errors import ParameterError

__all__: list[str] = []


def _as_csr(A: Any, func: str, *, copy: bool = True) -> sp.csr_matrix:
    """``A`` as a float64 CSR matrix with a zero diagonal, after checking it.

    With ``copy=False`` a float64 CSR matrix in canonical format (sorted, no duplicates)
    with no stored diagonal entry and no stored zero is returned itself, not copied (the
    structural graph of a million people is 0.3 GB): the caller must then only read it.
    """
    if not (sp.issparse(A) or isinstance(A, np.ndarray)):
        raise ParameterError.invalid("A", func, "a square SciPy sparse matrix", type(A).__name__)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ParameterError.invalid("A", func, "a square matrix", f"shape {A.shape}")
    if not copy and isinstance(A, sp.csr_matrix) and A.dtype == np.float64 and A.has_canonical_format:
        _check_strengths(A, func)
        if not _on_diagonal(A).any() and (A.nnz == 0 or A.data.min() > 0):  # nothing to drop
            return A
    M = sp.csr_matrix(A, dtype=np.float64, copy=True)
    M.sum_duplicates()
    _check_strengths(M, func)
    # the diagonal's stored entries set to 0 and dropped (scipy's setdiag would first
    # insert the missing ones, a copy of the whole matrix)
    M.data[_on_diagonal(M)] = 0.0
    M.eliminate_zeros()
    return M


def _on_diagonal(M: sp.csr_matrix) -> np.ndarray:
    """Which stored entries of the CSR matrix ``M`` sit on its diagonal."""
    return M.indices == np.repeat(np.arange(M.shape[0], dtype=M.indices.dtype), np.diff(M.indptr))


def _check_strengths(M: sp.csr_matrix, func: str) -> None:
    if M.nnz:
        if not np.all(np.isfinite(M.data)):
            raise ParameterError.invalid("A", func, "a matrix of finite strengths", "non-finite entries")
        if M.data.min() < 0:
            raise ParameterError.invalid("A", func, "a matrix of non-negative strengths",
                                         f"a minimum entry of {M.data.min():g}")


def _symmetric(M: sp.csr_matrix) -> sp.csr_matrix:
    """``M`` if symmetric, else ``M + M.T`` (strengths of both directions summed).

    ``M`` is canonical and has no stored zero (as :func:`_as_csr` returns it), so it is
    symmetric exactly when its transpose, in CSR, has the same three arrays: one
    transposition and three comparisons (``M != M.T`` took twice as long: 1.1 s at a
    million people, three calls per score).
    """
    T = M.T.tocsr()
    T.sum_duplicates()  # canonical (sorted) as M is; nothing to sum in a canonical M
    if (np.array_equal(T.indptr, M.indptr) and np.array_equal(T.indices, M.indices)
            and np.array_equal(T.data, M.data)):
        return M
    S = (M + T).tocsr()
    S.sum_duplicates()
    return S


def _check_positions(pos: Any, n: int, param: str, func: str) -> np.ndarray:
    arr = np.asarray(pos)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise ParameterError.invalid(param, func, "integer node positions", f"an array of {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 0 or arr.max() >= n:
        raise ParameterError.invalid(param, func, f"node positions in [0, {n})",
                                     f"positions from {arr.min()} to {arr.max()}")
    return arr


def _check_unit_interval(value: float, param: str, func: str) -> float:
    if not isinstance(value, int | float) or not 0.0 < float(value) < 1.0:
        raise ParameterError.invalid(param, func, "a number strictly between 0 and 1", value)
    return float(value)


def _check_positive_int(value: Any, param: str, func: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError.invalid(param, func, "a positive integer", value)
    return int(value)
