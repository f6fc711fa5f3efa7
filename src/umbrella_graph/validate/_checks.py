"""Checks across cells and records: ids, references, facts, the village tree, labels,
confusable ids.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problem, mask_value
from ..parsing.cells import arrow_strings
from ..schema import NODE_TABLES, TABLES, Column
from ._tables import _WORKERS, _Collector, _pmap


# --------------------------------------------------------------------------------------
# ids and references
# --------------------------------------------------------------------------------------
def _sorted_disjoint(arrs: list[pa.Array]) -> bool:
    """True if every array is strictly increasing and their ranges do not overlap.

    Then all the ids are distinct, which is known without hashing them (exported ids are
    usually sorted); False says nothing (the caller then hashes).
    """
    bounds = []
    for a in arrs:
        if len(a) > 1 and not pc.all(pc.less(a[:-1], a[1:])).as_py():
            return False
        bounds.append((a[0].as_py().encode(), a[-1].as_py().encode()))
    bounds.sort()
    return all(hi < lo for (_, hi), (lo, _) in zip(bounds, bounds[1:], strict=False))


def _check_ids(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Node ids are unique within and across node tables; record ids within their table.

    In lenient mode the first record keeps the id and later ones are skipped.
    """
    spaces: dict[str, list[str]] = {"entity": [t for t in NODE_TABLES.values() if t in typed]}
    for t in ("transactions", "contracts"):
        if t in typed:
            spaces[t] = [t]
    for tables in spaces.values():
        # fast path: hash the ids in pyarrow; only a space with duplicates is looked at closely
        arrs = []
        for t in tables:
            ids = typed[t]["id"]
            if out.lenient:
                ids = ids[~skips[t]]
            a = arrow_strings(ids).drop_null()
            if len(a):
                arrs.append(a)
        if not arrs:
            continue
        if _sorted_disjoint(arrs):
            continue
        allids = arrs[0] if len(arrs) == 1 else pa.concat_arrays(arrs)
        if len(pc.unique(allids)) == len(allids):
            continue
        parts = [pd.DataFrame({
            "id": typed[t]["id"].astype("string"), "table": t,
            "file": typed[t]["_file"].astype("string"), "row": typed[t]["_row"].to_numpy(),
            "pos": np.arange(len(typed[t])), "skipped": skips[t],
        }) for t in tables]
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[frame["id"].notna().to_numpy() & (~frame["skipped"].to_numpy() if out.lenient else True)]
        dup = frame.duplicated(["id"], keep=False).to_numpy()
        d = frame[dup]
        first = d.drop_duplicates(["id"]).set_index("id")
        later = d[d.duplicated(["id"], keep="first").to_numpy()]
        action = "skipped" if out.lenient else "error"
        for r in later.itertuples(index=False):
            f = first.loc[r.id]
            out.add(Problem(
                "duplicate_id", str(r.table), str(r.file), int(r.row), "id", mask_value("id", r.id),
                f"an id not already used: it is also the id at {f['file']}, row {int(f['row'])} "
                f"({f['table']}); ids are unique across people, companies, gangs, villages, events "
                "and leads" if len(tables) > 1 or tables[0] in NODE_TABLES.values()
                else f"an id not already used: it is also the id at {f['file']}, row {int(f['row'])}",
                action))
            skips[str(r.table)][int(r.pos)] = True


def _check_references(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Every reference points at a known record; in lenient mode, at a record that was kept.

    Repeats until nothing new is skipped, so chains of skipped rows are followed.
    """
    reported: set[tuple[str, str, int]] = set()
    while True:
        known: dict[str, pa.Array] = {}
        lost: dict[str, pd.DataFrame] = {}
        for kind, tname in NODE_TABLES.items():
            if tname in typed:
                df = typed[tname]
                ids = arrow_strings(df["id"])
                if out.lenient and skips[tname].any():
                    keep = ~skips[tname]
                    known[kind] = pc.unique(ids.filter(pa.array(keep)).drop_null())
                    gone = df.loc[~keep & df["id"].notna().to_numpy()]
                    lost[kind] = gone[["id", "_file", "_row"]].drop_duplicates("id")
                else:
                    known[kind] = ids.drop_null()  # is_in needs no unique values
            else:
                known[kind] = pa.array([], pa.string())
        units = pd.Series([], dtype="string")
        if "officials" in typed:
            units = typed["officials"]["unit"]
            if out.lenient:
                units = units[~skips["officials"]]
        known["unit"] = pc.unique(arrow_strings(units).drop_null())
        new_skips = False
        checks = [(t, c) for t, df in typed.items() if len(df) for c in TABLES[t].columns if c.type == "ref"]

        def unknown(batch: list[tuple[str, Column]], known: dict[str, pa.Array] = known) -> list[np.ndarray]:
            """The dangling cells of columns that reference the same kinds, in one
            ``is_in`` call (the value set is hashed once, not once per column)."""
            arrs = [arrow_strings(typed[t][c.name]) for t, c in batch]
            value_set = pa.concat_arrays([known.get(k, pa.array([], pa.string())) for k in batch[0][1].refs])
            # is_in is False for a null cell (no null in the value set); nulls are not dangling
            found = pc.is_in(pa.chunked_array(arrs, pa.string()), value_set=value_set)
            bad_all = ~found.to_numpy(zero_copy_only=False)
            res = []
            start = 0
            for (t, _), arr in zip(batch, arrs, strict=True):
                bad = bad_all[start:start + len(arr)]
                start += len(arr)
                if arr.null_count:
                    bad = bad & pc.is_valid(arr).to_numpy(zero_copy_only=False)
                res.append(bad & (~skips[t] if out.lenient else True))
            return res

        # columns grouped by the kinds they reference, each group split in _WORKERS
        # batches of about equal size (the batches run in parallel threads)
        def cells(batch: list[tuple[str, Column]]) -> int:
            return sum(len(typed[t]) for t, _ in batch)

        by_refs: dict[tuple[str, ...], list[list[tuple[str, Column]]]] = {}
        for check in sorted(checks, key=lambda x: -len(typed[x[0]])):
            bins = by_refs.setdefault(tuple(check[1].refs), [[] for _ in range(_WORKERS)])
            min(bins, key=cells).append(check)
        batches = [b for bins in by_refs.values() for b in bins if b]
        found_bad = {(t, c.name): bad for b, bads in zip(batches, _pmap(unknown, batches), strict=True)
                     for (t, c), bad in zip(b, bads, strict=True)}

        for tname, c in checks:
            bad = found_bad[(tname, c.name)]
            df = typed[tname]
            vals = df[c.name]
            if not bad.any():
                continue
            kinds = " or ".join(
                "a unit named in officials.unit" if k == "unit" else f"a known {k}" for k in c.refs)
            expected = f"the id of {kinds}".replace(
                "the id of a known person or a known company", "the id of a known person or company")
            # references to records that exist but were skipped (lenient mode)
            to_lost = np.zeros(len(df), dtype=bool)
            where: dict[str, str] = {}
            for k in c.refs:
                g = lost.get(k)
                if g is not None and len(g):
                    hit = vals.isin(g["id"]).fillna(False).to_numpy(dtype=bool) & bad
                    if hit.any():
                        to_lost |= hit
                        for i, f, r in g.itertuples(index=False):
                            where[str(i)] = f"{f}, row {int(r)}"
            key_rows = df["_row"].to_numpy()
            fresh = np.array([(tname, c.name, int(r)) not in reported for r in key_rows[bad]])
            idx = np.flatnonzero(bad)[fresh]
            if not len(idx):
                continue
            for i in idx:
                reported.add((tname, c.name, int(key_rows[i])))
            m = np.zeros(len(df), dtype=bool)
            m[idx] = True
            plain = m & ~to_lost
            via = m & to_lost
            act = None if (c.required or not out.lenient) else "repaired"
            suffix = "" if act is None else "; the cell was left empty"
            # a known id written as a decimal number ('2.0' for gang '2'): how a spreadsheet or
            # pandas writes an integer column with gaps; said, not repaired
            dec = plain & vals.astype("string").str.fullmatch(r"\d+\.0+").fillna(False).to_numpy(dtype=bool)
            if dec.any():
                pos = np.flatnonzero(dec)
                ints = arrow_strings(vals.iloc[pos].astype("string").str.replace(r"\.0+$", "", regex=True))
                value_set = pa.concat_arrays([known.get(k, pa.array([], pa.string())) for k in c.refs])
                dec[pos[~pc.is_in(ints, value_set=value_set).to_numpy(zero_copy_only=False)]] = False
                out.add_rows(df, dec, tname, c.name, "dangling_reference",
                             f"{expected} (a known id written as a decimal number, as a spreadsheet or pandas "
                             f"writes an integer column with gaps: write the ids as text){suffix}", vals, action=act)
            out.add_rows(df, plain & ~dec, tname, c.name, "dangling_reference", expected + suffix, vals,
                         action=act)
            if via.any():
                for i in np.flatnonzero(via):
                    v = vals.iat[i]
                    out.add(Problem(
                        "reference_to_skipped", tname, str(df["_file"].iat[i]), int(key_rows[i]),
                        c.name, mask_value(c.name, v),
                        f"{expected}; the record with this id ({where.get(str(v), '?')}) was "
                        f"skipped{suffix}", act or ("skipped" if out.lenient else "error")))
            if act == "repaired":
                df[c.name] = vals.mask(m)
            else:
                skips[tname] |= m
                new_skips = True
        if not new_skips or not out.lenient:
            return


# --------------------------------------------------------------------------------------
# facts that each cell allows but the records together do not (or only suspiciously)
# --------------------------------------------------------------------------------------
#: Zero-width and other invisible characters that make two ids look the same.
_INVISIBLE_RE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]"


#: Full-width forms, the ideographic space and invisible characters: what NFKC folds in an id.
_WIDE_RE = "[\uff01-\uff5e\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]"


def _id_key(v: str) -> str:
    """The form two ids are compared in for confusability: NFKC (full-width -> ASCII),
    invisible characters removed, case folded."""
    import unicodedata

    return re.sub(_INVISIBLE_RE, "", unicodedata.normalize("NFKC", v)).casefold()


def _row_error(out: _Collector, df: pd.DataFrame, m: np.ndarray, table: str, column: str | None,
               code: str, expected: str, skips: np.ndarray, values: pd.Series | None = None,
               *, blank: str | None = None) -> None:
    """Rows that break a rule across cells: an error; in lenient mode the row is skipped,
    or (``blank`` = an optional column) that cell is left empty."""
    if not m.any():
        return
    if out.lenient and blank is not None:
        out.add_rows(df, m, table, column, code, expected + "; the cell was left empty", values,
                     action="repaired")
        df[blank] = df[blank].mask(m)
    else:
        out.add_rows(df, m, table, column, code, expected, values)
        skips |= m


def _check_facts(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Rules across cells and records (documented in docs/data-contract.md, "Checks").

    Errors (skipped or blanked in lenient mode): negative contact counts and durations,
    shares outside 0-100 %, end dates before start dates, villages that are their own
    parent or ancestor, a pair labelled both 1 and 0, labels naming someone who holds no
    post. Warnings (loaded as written): duplicate memberships, ids that differ only by
    case, full-width form or invisible characters, ids holding invisible characters.
    """
    c = typed.get("contacts")
    if c is not None and len(c):
        for col in ("count", "duration_s"):
            v = c[col].astype("float64").to_numpy(dtype=float, na_value=np.nan)
            _row_error(out, c, v < 0, "contacts", col, "negative_number",
                       "a number >= 0 (a count or duration cannot be negative)", skips["contacts"],
                       blank=col)
    r = typed.get("company_roles")
    if r is not None and len(r):
        v = r["share"].to_numpy(dtype=float, na_value=np.nan)
        _row_error(out, r, (v < 0) | (v > 1), "company_roles", "share", "bad_share",
                   "a share from 0 to 1 (0% to 100%)", skips["company_roles"], blank="share")
    for t in ("officials", "members"):
        df = typed.get(t)
        if df is None or not len(df):
            continue
        s = df["start_date"].to_numpy()
        e = df["end_date"].to_numpy()
        bad = ~np.isnat(s) & ~np.isnat(e) & (e < s)
        _row_error(out, df, bad, t, "end_date", "end_before_start",
                   "an end date on or after the start date", skips[t], blank="end_date")
    _check_village_tree(typed, skips, out)
    _check_labels(typed, skips, out)
    m = typed.get("members")
    if m is not None and len(m):
        keys = m[["person_id", "gang_id"]].astype("string")
        live = ~skips["members"]
        dup = keys.duplicated(keep="first").to_numpy() & live & keys.notna().all(axis=1).to_numpy()
        if dup.any():
            seen: dict[tuple[Any, Any], int] = {}
            for a, b, rw in zip(keys["person_id"], keys["gang_id"], m["_row"], strict=True):
                seen.setdefault((a, b), int(rw))
            for i in np.flatnonzero(dup):
                k = (keys["person_id"].iat[i], keys["gang_id"].iat[i])
                out.add(Problem(
                    "duplicate_membership", "members", str(m["_file"].iat[i]), int(m["_row"].iat[i]),
                    "person_id", mask_value("person_id", k[0]),
                    f"one row per person and gang; the same membership is also at row {seen[k]} "
                    "(loaded: both rows count)", "warning"))
    _check_confusable_ids(typed, out)


def _check_village_tree(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    v = typed.get("villages")
    if v is None or not len(v):
        return
    ids = v["id"].astype("string").tolist()
    parents = v["parent_id"].astype("string").tolist()
    parent = {i: p for i, p in zip(ids, parents, strict=True) if i is not pd.NA and p is not pd.NA}
    in_cycle: set[str] = set()
    done: set[str] = set()
    for start in parent:
        path: dict[str, int] = {}
        node: Any = start
        while node in parent and node not in done and node not in path:
            path[node] = len(path)
            node = parent[node]
        if node in path:  # a cycle: every village from node round to node
            k = path[node]
            in_cycle.update(x for x, j in path.items() if j >= k)
        done.update(path)
    if not in_cycle:
        return
    m = np.array([i in in_cycle for i in ids], dtype=bool)
    self_parent = np.array([i is not pd.NA and p is not pd.NA and i == p for i, p in zip(ids, parents, strict=True)])
    _row_error(out, v, m & self_parent, "villages", "parent_id", "village_cycle",
               "the id of another village (a village cannot be its own parent)", skips["villages"],
               v["parent_id"], blank="parent_id")
    _row_error(out, v, m & ~self_parent, "villages", "parent_id", "village_cycle",
               "a parent that is not one of this village's own descendants (the parents form a "
               "cycle: the administrative tree has no root there)", skips["villages"], v["parent_id"],
               blank="parent_id")


def _check_labels(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    lab = typed.get("labels")
    if lab is None or not len(lab):
        return
    live = ~skips["labels"]
    officials = set()
    if "officials" in typed:
        o = typed["officials"]
        officials = set(o["person_id"][~skips["officials"]].dropna().astype(str))
    who = lab["official_id"].astype("string")
    not_off = live & who.notna().to_numpy() & ~who.isin(officials).fillna(False).to_numpy(dtype=bool)
    _row_error(out, lab, not_off, "labels", "official_id", "label_not_official",
               "the person id of an official (someone with a row in officials)", skips["labels"])
    live = ~skips["labels"]
    key = who.fillna("") + "\x1f" + lab["gang_id"].astype("string").fillna("*")
    val = lab["label"].astype("float64").to_numpy(dtype=float, na_value=np.nan)
    frame = pd.DataFrame({"k": key.to_numpy(), "v": val})[live]
    n_vals = frame.groupby("k")["v"].nunique()
    clash = set(n_vals.index[n_vals > 1])
    if clash:
        m = live & key.isin(clash).to_numpy(dtype=bool)
        _row_error(out, lab, m, "labels", "label", "contradicting_labels",
                   "one outcome per official and gang; this pair is labelled both 1 and 0",
                   skips["labels"], lab["label"].astype("string"))


def _check_confusable_ids(typed: dict[str, pd.DataFrame], out: _Collector) -> None:
    """Ids that differ only by case, full-width form or invisible characters: warnings.

    They are different ids (and are kept apart), but one was most likely meant for the
    other, or put there to hide a link (``p1`` and ``P1``, ``p1`` and ``ｐ1``).
    """
    tables = [t for t in NODE_TABLES.values() if t in typed and len(typed[t])]
    if not tables:
        return
    arrs = [arrow_strings(typed[t]["id"]) for t in tables]
    arr = arrs[0] if len(arrs) == 1 else pa.concat_arrays(arrs)
    if arr.null_count:
        arr = arr.drop_null()
    inv = pc.fill_null(pc.match_substring_regex(arr, _INVISIBLE_RE), False)
    if not pc.any(inv).as_py() and len(pc.unique(pc.utf8_lower(arr))) == len(pc.unique(arr)) \
            and not pc.any(pc.match_substring_regex(arr, _WIDE_RE)).as_py():
        return  # the usual case: nothing to look at closely (no frame is built)
    f = pd.concat([pd.DataFrame({"id": typed[t]["id"].astype("string"), "table": t,
                                 "file": typed[t]["_file"].astype("string"), "row": typed[t]["_row"].to_numpy()})
                   for t in tables], ignore_index=True).dropna(subset=["id"])
    arr = arrow_strings(f["id"])
    odd = pc.fill_null(pc.match_substring_regex(arr, _WIDE_RE), False).to_numpy(zero_copy_only=False)
    low = pc.utf8_lower(arr)
    if odd.any():  # full-width forms and invisible characters: normalised per id (few)
        fixed = low.to_numpy(zero_copy_only=False).astype(object)
        fixed[odd] = [_id_key(x) for x in f["id"][odd].tolist()]
        low = pa.array(fixed, pa.string())
    inv = pc.fill_null(pc.match_substring_regex(arr, _INVISIBLE_RE), False).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(inv):
        out.add(Problem("invisible_characters", str(f["table"].iat[i]), str(f["file"].iat[i]), int(f["row"].iat[i]),
                        "id", mask_value("id", f["id"].iat[i]),
                        "an id without invisible characters (zero-width space, soft hyphen...); "
                        "loaded as written", "warning"))
    if len(pc.unique(low)) == len(pc.unique(arr)):
        return  # no two ids share a normalised form
    keys = pd.Series(pd.arrays.ArrowStringArray(low), index=f.index)
    f = f.assign(key=keys)
    grp = f.groupby("key", sort=False)["id"].transform("nunique")
    f = f[grp.to_numpy() > 1]
    if not len(f):
        return
    first = f.drop_duplicates("key").set_index("key")
    for r in f.itertuples(index=False):
        fr = first.loc[r.key]
        if fr["id"] == r.id:
            continue
        out.add(Problem(
            "confusable_id", str(r.table), str(r.file), int(r.row), "id", mask_value("id", r.id),
            f"an id that does not look like another: it differs from the id at {fr['file']}, row "
            f"{int(fr['row'])} only by case, full-width form or invisible characters (loaded as a "
            "different node)", "warning"))
