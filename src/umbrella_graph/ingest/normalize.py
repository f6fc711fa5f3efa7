"""Normalisers for the identifiers found in seized exports, each with its check.

Every function takes the cell as written and returns a small record: the normalised
value (``None`` when nothing usable is left), whether it passed its check, and the
reason when it did not. Bad values are **kept and flagged**, never silently fixed or
dropped: the ingest report lists them with file, row and column.

* :func:`normalize_id_number`: resident ID numbers (GB 11643-1999): 18-digit check
  digit, 15-digit numbers upgraded to 18, birth date and sex derived.
* :func:`normalize_phone`: mobiles (``+86``, ``0086``, separators) and landlines with
  their area code.
* :func:`normalize_account`: bank account and card numbers (Luhn check for cards).
* :func:`normalize_credit_code`: unified social credit codes (GB 32100-2015 check).
* :func:`normalize_company_name`: 有限公司 / 有限责任公司, full- and half-width brackets,
  branch (分公司) suffixes.
* :func:`normalize_person_name`: traditional to simplified (OpenCC), pinyin (pypinyin),
  spacing and middle-dot variants, Latin-script names in either order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "IdNumber",
    "Checked",
    "PersonName",
    "CompanyName",
    "id_check_digit",
    "normalize_id_number",
    "normalize_phone",
    "luhn_valid",
    "luhn_digit",
    "normalize_account",
    "credit_code_check",
    "normalize_credit_code",
    "normalize_company_name",
    "normalize_person_name",
    "is_company_name",
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SPACES = re.compile(r"[\s\u3000]+")


#: Spreadsheet text markers around an identifier, which exports add so that a spreadsheet
#: keeps a long number's digits (``6.22202E+18``) and leading zeros: ``="6222..."`` (a
#: formula giving the text) and a leading apostrophe. They are how the cell is written,
#: not part of the number.
_TEXT_MARK = re.compile(r"""^(?:="(.*)"|'(.*))$""")


#: A long number a spreadsheet stored as a number, which keeps 15 significant digits
#: (``6.22202100112003e+18``, as the readers write such a cell): the rest are lost, so
#: it is no identifier (``digits_lost``), not even as written.
_DIGITS_LOST = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")


def _clean(text: object) -> str:
    """An identifier cell without spaces (NFKC first: full-width digits) and without a
    spreadsheet text marker (:data:`_TEXT_MARK`)."""
    if text is None:
        return ""
    try:
        if text != text:  # NaN
            return ""
    except (TypeError, ValueError):  # pragma: no cover - exotic cells
        return ""
    t = _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))
    m = _TEXT_MARK.match(t)
    return t if m is None else m.group(1) if m.group(1) is not None else m.group(2)


@dataclass(frozen=True)
class Checked:
    """A normalised identifier: ``value`` (None if nothing usable), ``valid``, ``reason``.

    ``kind`` says what it is (``mobile``, ``landline``, ``card``, ``account``, ...).
    """

    value: str | None
    valid: bool
    reason: str = ""
    kind: str = ""


@dataclass(frozen=True)
class IdNumber:
    """A resident ID number after :func:`normalize_id_number`.

    Attributes
    ----------
    value : str or None
        The 18-digit number (a 15-digit one upgraded); for a bad number the digits as
        written (upper-case ``X``), so it is kept; None for an empty cell.
    valid : bool
        Whether it is well formed with a correct check digit and a real birth date.
    reason : str
        ``""``, ``"bad_check_digit"``, ``"bad_birth_date"`` or ``"bad_format"``.
    birth_date : datetime.date or None
    sex : str or None
        ``"男"`` (odd sequence digit) or ``"女"``.
    upgraded : bool
        Whether it was written with 15 digits.
    """

    value: str | None
    valid: bool
    reason: str = ""
    birth_date: date | None = None
    sex: str | None = None
    upgraded: bool = False


def id_check_digit(body17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number.

    Examples
    --------
    >>> id_check_digit("11010519491231002")
    'X'
    """
    if len(body17) != 17 or not body17.isdigit():
        raise ValueError("expected 17 digits")
    return _ID_CHECK[sum(int(d) * w for d, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def _birth(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


@lru_cache(maxsize=1 << 18)
def normalize_id_number(text: object) -> IdNumber:
    """Normalise and check a resident ID number (身份证号).

    Examples
    --------
    >>> r = normalize_id_number("11010519491231002x")
    >>> r.value, r.valid, r.sex, str(r.birth_date)
    ('11010519491231002X', True, '女', '1949-12-31')
    >>> normalize_id_number("110105491231002").value   # 15 digits: upgraded
    '11010519491231002X'
    >>> normalize_id_number("110105194912310021").reason
    'bad_check_digit'
    """
    t = _clean(text).upper()
    if not t:
        return IdNumber(None, False, "empty")
    if _DIGITS_LOST.fullmatch(t):
        return IdNumber(t, False, "digits_lost")
    if len(t) == 15 and t.isdigit():
        body = t[:6] + "19" + t[6:]
        born = _birth(body[6:14])
        if born is None:
            return IdNumber(t, False, "bad_birth_date")
        full = body + id_check_digit(body)
        return IdNumber(full, True, "", born, "男" if int(full[16]) % 2 else "女", True)
    if len(t) != 18 or not t[:17].isdigit() or not (t[17].isdigit() or t[17] == "X"):
        return IdNumber(t, False, "bad_format")
    born = _birth(t[6:14])
    if born is None:
        return IdNumber(t, False, "bad_birth_date")
    if id_check_digit(t[:17]) != t[17]:
        return IdNumber(t, False, "bad_check_digit")
    return IdNumber(t, True, "", born, "男" if int(t[16]) % 2 else "女")


_PHONE_SEP = re.compile(r"[\s\-().·/]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:[12]\d|[3-9]\d{2})\d{7,8}")
_DATE_LIKE = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?.*")
#: IP long-distance prefixes (China Mobile 17951, 12593; China Unicom 17911, 10193; China
#: Telecom 17909, 17908): ``17951 13800138000`` is a call to 13800138000.
_IP_PREFIXES = ("17951", "12593", "17911", "10193", "17909", "17908")
_TWO_DIGIT_AREAS = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")


@lru_cache(maxsize=1 << 18)
def normalize_phone(text: object) -> Checked:
    """Normalise a phone number: mobiles to 11 digits, landlines to ``0AREA-NUMBER``.

    ``+86``, ``0086`` and ``86`` prefixes, spaces, dashes, dots and brackets are removed,
    and so are the prefixes a call record keeps in a dialled number: a carrier's IP
    long-distance prefix (``17951``, ``12593``, ``17911``...) and the ``0`` before a mobile
    dialled from another city. A landline without its area code cannot be told apart from
    other cities' numbers: it is kept but flagged ``no_area_code``. Service numbers
    (``95588``, ``10086``) and numbers with an extension are not a person's phone.

    Examples
    --------
    >>> normalize_phone("+86 138-0013-8000").value
    '13800138000'
    >>> normalize_phone("(0571) 8765 4321").value
    '0571-87654321'
    >>> normalize_phone("010-12345678").value
    '010-12345678'
    >>> normalize_phone("8765432").reason
    'no_area_code'
    >>> normalize_phone("17951 13800138000").value, normalize_phone("013800138000").value
    ('13800138000', '13800138000')
    >>> normalize_phone("+86-0571-87654321").value
    '0571-87654321'
    >>> normalize_phone("张三").reason
    'not_a_phone'
    """
    t = _clean(text)
    if not t:
        return Checked(None, False, "empty")
    if _DIGITS_LOST.fullmatch(t):
        return Checked(t, False, "digits_lost")
    if _DATE_LIKE.fullmatch(t):
        return Checked(t, False, "not_a_phone")
    d = _PHONE_SEP.sub("", t)
    if d.startswith("+"):
        d = d[1:]
        if not d.startswith("86"):
            return Checked(d, False, "foreign_number") if d.isdigit() else Checked(t, False, "not_a_phone")
    if not d.isdigit():
        return Checked(t, False, "not_a_phone")
    if d.startswith("0086"):
        d = d[4:]
    elif d.startswith("86") and 11 <= len(d) <= 14 and not _MOBILE.fullmatch(d):
        d = d[2:]
        if not d.startswith(("0", "1")):
            d = "0" + d  # 86 571 8765 4321: the trunk 0 is dropped after the country code
    # the carriers' IP long-distance prefixes, which call records keep in the dialled number
    ip = next((p for p in _IP_PREFIXES if d.startswith(p)), "")
    if ip and (_MOBILE.fullmatch(d[5:]) or _LANDLINE.fullmatch(d[5:]) or _MOBILE.fullmatch(d[6:])):
        d = d[5:]
    if d.startswith("0") and _MOBILE.fullmatch(d[1:]):  # a mobile dialled from a landline in another city
        d = d[1:]
    if _MOBILE.fullmatch(d):
        return Checked(d, True, "", "mobile")
    if _LANDLINE.fullmatch(d):
        n = 3 if d[:3] in _TWO_DIGIT_AREAS else 4
        return Checked(f"{d[:n]}-{d[n:]}", True, "", "landline")
    if len(d) in (7, 8) and d[0] not in "01":
        return Checked(d, False, "no_area_code", "landline")
    return Checked(d, False, "not_a_phone")


def luhn_digit(body: str) -> str:
    """The Luhn check digit to append to ``body`` (digits).

    Examples
    --------
    >>> luhn_digit("622202100112003456")
    '3'
    """
    total = 0
    for i, ch in enumerate(reversed(body)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """Whether a digit string passes the Luhn check (bank cards).

    Examples
    --------
    >>> luhn_valid("6222021001120034563"), luhn_valid("6222021001120034566")
    (True, False)
    """
    return len(number) >= 2 and number.isdigit() and luhn_digit(number[:-1]) == number[-1]


@lru_cache(maxsize=1 << 18)
def normalize_account(text: object) -> Checked:
    """Normalise a bank account or card number (digits only; spaces and dashes removed).

    Card numbers (16 to 19 digits starting 3 to 6) must pass the Luhn check, otherwise
    they are flagged ``bad_luhn`` (kept: a mistyped digit is common). Other digit strings
    of 8 to 30 digits are accounts (corporate and passbook accounts have no check).

    Examples
    --------
    >>> normalize_account("6222 0210 0112 0034 563")
    Checked(value='6222021001120034563', valid=True, reason='', kind='card')
    >>> normalize_account("6222021001120034566").reason
    'bad_luhn'
    >>> normalize_account("abc").reason
    'not_an_account'
    """
    t = _clean(text)
    if not t:
        return Checked(None, False, "empty")
    if _DIGITS_LOST.fullmatch(t):
        return Checked(t, False, "digits_lost")
    d = re.sub(r"[\-_.*]", "", t)
    if not d.isdigit() or not 8 <= len(d) <= 30:
        return Checked(t, False, "not_an_account")
    if 16 <= len(d) <= 19 and d[0] in "3456":
        return Checked(d, luhn_valid(d), "" if luhn_valid(d) else "bad_luhn", "card")
    return Checked(d, True, "", "account")


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check(body17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code.

    Examples
    --------
    >>> credit_code_check("91350100M000100Y4")
    '3'
    """
    if len(body17) != 17 or any(c not in _USCC_CHARS for c in body17):
        raise ValueError("expected 17 credit-code characters")
    s = sum(_USCC_CHARS.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - s % 31) % 31]


@lru_cache(maxsize=1 << 16)
def normalize_credit_code(text: object) -> Checked:
    """Normalise and check a unified social credit code (统一社会信用代码).

    Examples
    --------
    >>> normalize_credit_code("91350100m000100y43").valid
    True
    >>> normalize_credit_code("91350100M000100Y44").reason
    'bad_check_digit'
    """
    t = _clean(text).upper()
    if not t:
        return Checked(None, False, "empty")
    if len(t) != 18 or any(c not in _USCC_CHARS for c in t):
        return Checked(t, False, "bad_format")
    if credit_code_check(t[:17]) != t[17]:
        return Checked(t, False, "bad_check_digit")
    return Checked(t, True, "", "credit_code")


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese with OpenCC (``t2s``).

    Examples
    --------
    >>> to_simplified("張偉")
    '张伟'
    """
    return str(_t2s().convert(text))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CompanyName:
    """A company name after :func:`normalize_company_name`.

    ``key`` is what names are matched on (simplified, half-width, legal form unified,
    brackets and their place names removed, branch suffix split off into ``branch``).
    """

    name: str
    key: str
    branch: str = ""


_LEGAL_FORMS = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"), ("(有限公司)", "有限公司"))
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_BRANCH = re.compile(r"^(.+?(?:公司|集团|厂|社|中心))(.+?(?:分公司|分厂|分店|营业部|办事处|支行|分行))$")
_COMPANY_HINT = re.compile(r"公司|集团|合作社|厂$|商行|商店|超市|饭店|酒店|中心$|事务所|有限|工作室|经营部|门市|银行|"
                           r"Co\.|Ltd|LLC|Inc\b|Company|Corp", re.IGNORECASE)


_ORG_SUFFIX = re.compile(r"(?:学校|医院|诊所|药房|药店|会所|农场|养殖场|砂场|加油站|驾校|幼儿园|宾馆|旅馆|市场|工程队|车队|"
                         r"合作社|经营部|服务部|门市部|[厂场店行部所站馆院社])$")


@lru_cache(maxsize=1 << 16)
def normalize_company_name(text: object) -> CompanyName:
    """Normalise a company name for matching.

    Examples
    --------
    >>> normalize_company_name("杭州（滨江）某某建设有限责任公司").key
    '杭州某某建设有限公司'
    >>> c = normalize_company_name("杭州某某建设有限公司 西湖分公司")
    >>> c.key, c.branch
    ('杭州某某建设有限公司', '西湖分公司')
    """
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    t = to_simplified(_SPACES.sub("", raw))
    t = _BRACKETS.sub("", t.replace("（", "(").replace("）", ")"))
    for a, b in _LEGAL_FORMS:
        t = t.replace(a, b)
    branch = ""
    m = _BRANCH.match(t)
    if m:
        t, branch = m.group(1), m.group(2)
    return CompanyName(raw, t.upper(), branch)


def is_company_name(text: object) -> bool:
    """Whether a party name looks like an organisation rather than a person.

    Examples
    --------
    >>> is_company_name("清河县宏达建材有限公司"), is_company_name("王建国"), is_company_name("荷峪祥嘉娱乐会所")
    (True, False, True)
    """
    t = _SPACES.sub("", unicodedata.normalize("NFKC", str(text or "")))
    if _COMPANY_HINT.search(t):
        return True
    han = bool(re.search(r"[\u3400-\u9fff]", t))
    return han and (len(t) > 8 or (len(t) >= 4 and _ORG_SUFFIX.search(t) is not None))


@dataclass(frozen=True)
class PersonName:
    """A person name after :func:`normalize_person_name`.

    Attributes
    ----------
    name : str
        Simplified, without spaces; middle-dot variants unified to ``·``; Latin names
        lower-case words joined by one space.
    surname_py, given_py : str
        Pinyin without tones (``wang``, ``jianguo``); for Latin-script names the word
        written in capitals, or the first word, is the surname.
    script : str
        ``"han"`` or ``"latin"``.
    """

    name: str
    surname_py: str
    given_py: str
    script: str

    @property
    def pinyin(self) -> str:
        """Surname and given name pinyin, ``"wang jianguo"``."""
        return f"{self.surname_py} {self.given_py}".strip()


_DOTS = re.compile(r"[.•・‧∙⋅·]")
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
             "令狐", "端木", "申屠", "澹台", "呼延", "轩辕", "独孤", "南宫", "闻人", "万俟", "濮阳")
#: Surnames whose pinyin differs from the character's most common reading.
_SURNAME_PY = {"单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha",
               "盖": "ge", "乐": "yue", "员": "yun", "缪": "miao", "覃": "qin", "尉迟": "yuchi", "万俟": "moqi",
               "长孙": "zhangsun", "种": "chong", "繁": "po", "翟": "zhai", "秘": "bi", "召": "shao", "纪": "ji"}


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text, errors="ignore"))


@lru_cache(maxsize=1 << 18)
def normalize_person_name(text: object) -> PersonName:
    """Normalise a person name and derive its pinyin.

    Examples
    --------
    >>> n = normalize_person_name("張 偉國")
    >>> n.name, n.surname_py, n.given_py
    ('张伟国', 'zhang', 'weiguo')
    >>> normalize_person_name("ZHANG Weiguo").pinyin
    'zhang weiguo'
    >>> normalize_person_name("Weiguo ZHANG").pinyin
    'zhang weiguo'
    >>> normalize_person_name("买买提．艾力").name
    '买买提·艾力'
    >>> normalize_person_name("单雄信").surname_py
    'shan'
    """
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    if re.search(r"[\u3400-\u9fff]", raw):
        t = to_simplified(_SPACES.sub("", raw))
        t = _DOTS.sub("·", t)
        if "·" in t:  # minority names: 买买提·艾力; keep the order as written
            parts = t.split("·")
            return PersonName(t, _pinyin(parts[0]), _pinyin("".join(parts[1:])), "han")
        sur = next((c for c in _COMPOUND if t.startswith(c)), t[:1])
        return PersonName(t, _SURNAME_PY.get(sur) or _pinyin(sur), _pinyin(t[len(sur):]), "han")
    words = [w for w in re.split(r"[\s,.·\-_]+", raw) if w]
    if not words:
        return PersonName("", "", "", "latin")
    caps = [w for w in words if len(w) > 1 and w.isupper()]
    sur = caps[0] if len(caps) == 1 and len(words) > 1 else words[0]
    rest = [w for w in words if w is not sur]
    name = " ".join(w.lower() for w in words)
    return PersonName(name, re.sub(r"[^a-z]", "", sur.lower()),
                      re.sub(r"[^a-z]", "", "".join(rest).lower()), "latin")
