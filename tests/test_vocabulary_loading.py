"""Enumerated columns are read through the domain's vocabulary (issue 11): a case loads to
the same canonical values, and scores the same, however a county spells its roles, contact
kinds and place levels (simplified, traditional, full-width, abbreviated, English); every
spelling read as another value is noted in the load report; an unknown value is still an
error naming file, row and column."""

from __future__ import annotations

import csv
import shutil
import unicodedata
from pathlib import Path

import opencc
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from umbrella_graph import Case, CaseError, build_graph, case_from_frames, load_case
from umbrella_graph.domain import (
    ENUM_COLUMNS,
    enum_canonical,
    enum_spellings,
    normalise,
    vocabulary,
)
from umbrella_graph.schema import TABLES
from umbrella_graph.scoring import score_umbrellas
from umbrella_graph.validate import ENUM_ALIASES

# every enum column of the sample, canonical value -> a traditional spelling (written here
# by hand, not by the converter the loader uses)
TRADITIONAL: dict[tuple[str, str], dict[str, str]] = {
    ("members", "role"): {"leader": "頭目", "core": "骨幹", "member": "成員"},
    ("company_roles", "role"): {"owner": "實際控制人", "legal_rep": "法定代表人", "director": "董事",
                                "shareholder": "股東", "manager": "經理", "employee": "員工"},
    ("contacts", "kind"): {"call": "通話", "sms": "簡訊", "meeting": "見面", "chat": "聊天"},
    ("villages", "level"): {"village": "村", "town": "鎮", "district": "縣", "city": "市"},
}


def test_every_enum_column_of_the_contract_has_a_vocabulary() -> None:
    enums = {(t, c.name) for t, spec in TABLES.items() for c in spec.columns if c.type == "enum"}
    assert enums == set(ENUM_COLUMNS) == set(TRADITIONAL)
    for t, c in ENUM_COLUMNS:
        words = vocabulary()["enums"][f"{t}.{c}"]
        assert tuple(words) == TABLES[t].column(c).choices  # the canonical values, in order
        assert ENUM_ALIASES[t][c] == enum_spellings(t, c)  # the loader's table is derived


@pytest.mark.parametrize(("table", "column"), ENUM_COLUMNS)
def test_no_spelling_means_two_values(table: str, column: str) -> None:
    # after normalisation, each spelling stands for one canonical value only
    seen: dict[str, str] = {}
    for w, canon in enum_spellings(table, column).items():
        n = normalise(w)
        assert seen.setdefault(n, canon) == canon, (w, n, seen[n], canon)
        assert enum_canonical(table, column, [w]) == [canon]


def _rewrite(path: Path, column: str, table: dict[str, str]) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    i = rows[0].index(column)
    n = 0
    for r in rows[1:]:
        if r[i] in table:
            r[i] = table[r[i]]
            n += 1
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return n


@pytest.fixture(scope="module")
def traditional_sample(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qinghe_hant") / "qinghe"
    shutil.copytree(sample_dir, out)
    for (t, c), table in TRADITIONAL.items():
        assert _rewrite(out / f"{t}.csv", c, table) > 0, t
    return out


def test_traditional_sample_loads_to_the_same_case_and_scores(sample_case: Case, traditional_sample: Path) -> None:
    ref = sample_case
    hant = load_case(traditional_sample)
    # the files really hold the traditional spellings
    assert set(pd.read_csv(traditional_sample / "contacts.csv")["kind"]) == {"通話", "簡訊", "見面", "聊天"}
    assert "骨幹" in set(pd.read_csv(traditional_sample / "members.csv")["role"])
    for t in TABLES:
        pd.testing.assert_frame_equal(hant[t], ref[t], obj=t)
    assert hant.equals(ref)
    # the spellings as written stay visible: one note per rewritten column, with counts and rows
    notes = [n for n in hant.report.notes if "values read through the vocabulary" in n]
    assert len(notes) == len(TRADITIONAL)
    for (t, c), table in TRADITIONAL.items():
        note = next(n for n in notes if n.startswith(f"{t}.csv: column '{c}'"))
        for canon, word in table.items():
            if (ref[t][c] == canon).any():
                k = int((ref[t][c] == canon).sum())
                assert f"'{word}' -> {canon} ({k} row(s), first row " in note, (t, word)
    assert not [n for n in ref.report.notes if "values read through the vocabulary" in n]
    s_ref = score_umbrellas(build_graph(ref), seed=0)
    s_hant = score_umbrellas(build_graph(hant), seed=0)
    pd.testing.assert_frame_equal(s_hant, s_ref)


def test_validate_cli_prints_the_mapping(traditional_sample: Path) -> None:
    from click.testing import CliRunner

    from umbrella_graph.cli import main

    res = CliRunner().invoke(main, ["validate", str(traditional_sample)])
    assert res.exit_code == 0, res.output
    assert "'骨幹' -> core" in res.output and "'通話' -> call" in res.output


# ---- property: any accepted spelling, in any script or width, loads to its value ----
_S2T = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


def _variants(word: str) -> list[str]:
    out = [word, word.upper(), word.title(), f"  {word} ", _full_width(word)]
    out += [cv.convert(word) for cv in _S2T]
    out += [_full_width(cv.convert(word)) for cv in _S2T]
    return out


_CHOICES = {tc: [(w, canon) for w, canon in enum_spellings(*tc).items()] for tc in ENUM_COLUMNS}


def _frames(table: str, column: str, cells: list[str]) -> dict[str, pd.DataFrame]:
    n = len(cells)
    people = pd.DataFrame({"id": ["P1", "P2"], "name": ["a", "b"]})
    frames: dict[str, pd.DataFrame] = {"people": people}
    if table == "members":
        frames["gangs"] = pd.DataFrame({"id": ["G1"], "name": ["g"]})
        frames["members"] = pd.DataFrame({"person_id": ["P1"] * n, "gang_id": ["G1"] * n, "role": cells})
    elif table == "company_roles":
        frames["companies"] = pd.DataFrame({"id": ["C1"], "name": ["c"]})
        frames["company_roles"] = pd.DataFrame({"person_id": ["P1"] * n, "company_id": ["C1"] * n, "role": cells})
    elif table == "contacts":
        frames["contacts"] = pd.DataFrame({"src": ["P1"] * n, "dst": ["P2"] * n, "kind": cells,
                                           "time": [f"2020-01-{i % 28 + 1:02d} 10:00" for i in range(n)]})
    else:
        frames["villages"] = pd.DataFrame({"id": [f"V{i}" for i in range(n)], "name": ["v"] * n, "level": cells})
    return frames


@st.composite
def _column_and_cells(draw: st.DrawFn) -> tuple[str, str, list[str], list[str]]:
    table, column = draw(st.sampled_from(ENUM_COLUMNS))
    picks = draw(st.lists(st.sampled_from(_CHOICES[(table, column)]), min_size=1, max_size=12))
    cells = [draw(st.sampled_from(_variants(w))) for w, _ in picks]
    return table, column, cells, [canon for _, canon in picks]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_column_and_cells())
def test_any_accepted_spelling_loads_to_its_canonical_value(args: tuple[str, str, list[str], list[str]]) -> None:
    table, column, cells, expected = args
    case = case_from_frames(_frames(table, column, cells))
    assert case[table][column].tolist() == expected
    written = [c.strip() for c in cells]  # text cells lose surrounding spaces (the contract)
    changed = [c for c, e in zip(written, expected, strict=True) if c != e]
    notes = [n for n in case.report.notes if f"column '{column}' of {table}" in n]
    assert bool(notes) == bool(changed)  # never silently
    for c in changed:
        assert repr(c) in notes[0]


@pytest.mark.parametrize(("table", "column", "bad"), [
    ("contacts", "kind", "心灵感应"), ("members", "role", "骨干分子?"), ("company_roles", "role", "成员"),
    ("villages", "level", "省"),
])
def test_unknown_value_is_an_error_naming_file_row_and_column(tmp_path: Path, table: str, column: str,
                                                             bad: str) -> None:
    cells = [next(iter(TRADITIONAL[(table, column)].values())), bad]
    frames = _frames(table, column, cells)
    folder = tmp_path / "case"
    folder.mkdir()
    for t, df in frames.items():
        df.to_csv(folder / f"{t}.csv", index=False)
    with pytest.raises(CaseError) as ei:
        load_case(folder)
    probs = [p for p in ei.value.problems if p.code == "bad_choice"]
    assert len(probs) == 1
    p = probs[0]
    assert (p.file, p.row, p.column, p.table) == (f"{table}.csv", 3, column, table)
    assert p.value == repr(bad)  # the value as written, quoted
    for canon in TABLES[table].column(column).choices:
        assert canon in p.expected
    msg = str(ei.value)
    assert f"{table}.csv, row 3, column '{column}': bad_choice" in msg
    # the accepted Chinese spellings are named too
    assert "simplified or traditional" in p.expected
    # lenient mode: the row is skipped (a required column) or the cell blanked, and listed;
    # the good traditional one is kept as its canonical value
    case = load_case(folder, lenient=True)
    required = TABLES[table].column(column).required
    assert case[table][column].tolist()[:1] == [next(iter(TRADITIONAL[(table, column)]))]
    assert len(case[table]) == (1 if required else 2)
    assert [q.action for q in case.report.problems if q.code == "bad_choice" and q.row == 3] == [
        "skipped" if required else "repaired"]


def test_full_width_is_normalised_by_the_one_normaliser() -> None:
    # the loader uses the domain's normaliser: NFKC first, then t2s
    assert unicodedata.normalize("NFKC", "ＭＥＥＴＩＮＧ") == "MEETING"
    assert enum_canonical("contacts", "kind", ["ＭＥＥＴＩＮＧ", "ｓｍｓ", "骨幹"]) == ["meeting", "sms", None]
    assert enum_canonical("members", "role", ["骨幹", "頭目", "參加者"]) == ["core", "leader", "member"]
