"""Normalisers of seized exports: check digits (property-based), phones, names."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from umbrella_graph.ingest.normalize import (
    credit_code_check,
    id_check_digit,
    is_company_name,
    luhn_digit,
    luhn_valid,
    normalize_account,
    normalize_company_name,
    normalize_credit_code,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
)

_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31))


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 659999))
    born = draw(births)
    seq = draw(st.integers(0, 999))
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


@given(id_numbers())
def test_valid_id_numbers_pass_and_derive_birth_and_sex(idn: str) -> None:
    r = normalize_id_number(idn.lower())
    assert r.valid and r.value == idn
    assert r.birth_date == dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
    assert r.sex == ("男" if int(idn[16]) % 2 else "女")


@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_error_is_caught(idn: str, pos: int, delta: int) -> None:
    wrong = idn[:pos] + str((int(idn[pos]) + delta) % 10) + idn[pos + 1:]
    r = normalize_id_number(wrong)
    assert not r.valid
    assert r.value == wrong  # kept as written, flagged
    assert r.reason in {"bad_check_digit", "bad_birth_date"}


@given(id_numbers())
def test_fifteen_digit_numbers_upgrade_to_the_eighteen_digit_form(idn: str) -> None:
    old = idn[:6] + idn[8:17]  # drop century and check digit
    r = normalize_id_number(old)
    assert r.valid and r.upgraded and r.value == idn


def test_malformed_id_numbers_are_flagged_not_dropped() -> None:
    assert normalize_id_number("12345").reason == "bad_format"
    assert normalize_id_number("110105199902300012").reason == "bad_birth_date"
    assert normalize_id_number("").value is None


@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_luhn_digit_makes_a_valid_number_and_any_other_digit_breaks_it(body: str) -> None:
    d = luhn_digit(body)
    assert luhn_valid(body + d)
    for other in "0123456789":
        if other != d:
            assert not luhn_valid(body + other)


@given(st.text(alphabet=_USCC, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 30))
@settings(max_examples=200)
def test_credit_code_check_catches_single_substitutions(body: str, pos: int, delta: int) -> None:
    code = body + credit_code_check(body)
    assert normalize_credit_code(code.lower()).valid
    wrong_char = _USCC[(_USCC.index(code[pos]) + delta) % 31]
    wrong = code[:pos] + wrong_char + code[pos + 1:]
    assert normalize_credit_code(wrong).reason == "bad_check_digit"


def test_phones() -> None:
    assert normalize_phone("+86 138-0013-8000").value == "13800138000"
    assert normalize_phone("0086 13800138000").value == "13800138000"
    assert normalize_phone("8613800138000").value == "13800138000"
    assert normalize_phone("138 0013 8000").kind == "mobile"
    assert normalize_phone("021-6123 4567").value == "021-61234567"
    assert normalize_phone("+86 571 8765 4321").value == "0571-87654321"
    assert normalize_phone("87654321").reason == "no_area_code"
    assert normalize_phone("2019-03-05").reason == "not_a_phone"
    assert normalize_phone("李四").reason == "not_a_phone"


def test_accounts() -> None:
    assert normalize_account("6222 0210 0112 0034 563").kind == "card"
    assert normalize_account("33050161234500000123").valid  # 20 digits: an account, no check
    assert normalize_account("not an account").reason == "not_an_account"


@given(id_numbers(), st.sampled_from(["'{}", '="{}"', "\t{}", " ＝＂{}＂ "]))
def test_spreadsheet_text_markers_are_how_a_cell_is_written(idn: str, form: str) -> None:
    """Exports write long numbers as ``="6222..."`` or with a leading apostrophe so that a
    spreadsheet keeps their digits: the identifier is the same as written plainly."""
    assert normalize_id_number(form.format(idn)) == normalize_id_number(idn)
    assert normalize_account(form.format("6222021001120034563")) == normalize_account("6222021001120034563")
    assert normalize_phone(form.format("13800138000")) == normalize_phone("13800138000")
    assert normalize_credit_code(form.format("91350100M000100Y43")) == normalize_credit_code("91350100M000100Y43")
    assert normalize_account("'6.22202100112003E+18").reason == "digits_lost"  # a rounded number: flagged
    assert normalize_account('="62220210"01"').reason == "not_an_account"


def test_company_names_match_across_legal_form_brackets_and_branches() -> None:
    a = normalize_company_name("杭州（滨江）宏达建设有限责任公司")
    b = normalize_company_name("杭州宏达建设有限公司")
    c = normalize_company_name("杭州宏達建設有限公司西湖分公司")
    assert a.key == b.key == c.key
    assert c.branch == "西湖分公司"
    assert is_company_name("清河县宏达建材有限公司") and not is_company_name("欧阳建国")


def test_person_names_traditional_pinyin_dots_and_order() -> None:
    a, b = normalize_person_name("張偉國"), normalize_person_name("张 伟国")
    assert a.name == b.name == "张伟国" and a.pinyin == "zhang weiguo"
    assert normalize_person_name("ZHANG WEIGUO").pinyin == "zhang weiguo"
    assert normalize_person_name("Weiguo ZHANG").pinyin == "zhang weiguo"
    assert normalize_person_name("Zhang Weiguo").pinyin == "zhang weiguo"
    assert normalize_person_name("欧阳修").surname_py == "ouyang"
    assert normalize_person_name("买买提•艾力").name == normalize_person_name("买买提·艾力").name


@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9),
       st.sampled_from(["", "+86 ", "0086", "86", "+86-", "17951", "12593 ", "17911-", "0", "179510"]),
       st.sampled_from(["", " ", "-", "."]))
def test_any_written_form_of_a_mobile_gives_the_same_number(second: str, rest: str, prefix: str, sep: str) -> None:
    number = "1" + second + rest
    written = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    r = normalize_phone(written)
    assert (r.value, r.kind, r.valid) == (number, "mobile", True)


@given(st.text(min_size=1, max_size=6, alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)))
def test_han_names_are_stable_under_spacing(name: str) -> None:
    a = normalize_person_name(name)
    b = normalize_person_name(" ".join(name))
    assert a.name == b.name and a.pinyin == b.pinyin
