"""Fictional Chinese names, ID numbers and phone numbers, drawn vectorised from a seed.

Everything here is invented: surnames and given-name characters are sampled from
common pools, ID numbers use the non-existent region code ``990101`` (with a valid
check digit so that format checks pass) and phone numbers the ``199`` prefix.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SURNAMES", "person_names", "id_numbers", "phone_numbers"]

#: Common surnames, most frequent first (a Zipf-like weight is applied).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国峰海东亮志文斌成庆德"
_FEMALE = "芳娜敏静丽艳娟霞秀玲燕红桂英梅琳雪慧婷颖莉兰萍玉凤洁琴云倩佳悦春彩月珍"
_MIDDLE = "建国志文永春海晓小红立德宏玉金国家长庆德成子明俊"


def person_names(rng: np.random.Generator, genders: np.ndarray, surnames: np.ndarray | None = None) -> np.ndarray:
    """Draw one name per person.

    Parameters
    ----------
    rng : numpy.random.Generator
    genders : array of str
        ``"男"`` or ``"女"`` per person.
    surnames : array of str, optional
        Fixed surnames (households share the father's surname); drawn when omitted.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> names = person_names(np.random.default_rng(0), np.array(["男", "女"]))
    >>> len(names), all(2 <= len(n) <= 3 for n in names)
    (2, True)
    """
    n = len(genders)
    if surnames is None:
        surnames = draw_surnames(rng, n)
    male = np.asarray(genders) == "男"
    m_chars = np.array(list(_MALE))
    f_chars = np.array(list(_FEMALE))
    mid = np.array(list(_MIDDLE))
    last = np.where(male, m_chars[rng.integers(0, len(m_chars), n)], f_chars[rng.integers(0, len(f_chars), n)])
    two = rng.random(n) < 0.65
    middle = np.where(two, mid[rng.integers(0, len(mid), n)], "")
    return np.char.add(np.char.add(np.asarray(surnames, dtype=str), middle), last)


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surnames with a Zipf-like frequency (王, 李, 张 most common)."""
    pool = np.array(list(SURNAMES))
    w = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
    return pool[rng.choice(len(pool), size=n, p=w / w.sum())]


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


def id_numbers(rng: np.random.Generator, birth_dates: np.ndarray, genders: np.ndarray) -> np.ndarray:
    """Fictional 18-digit resident ID numbers (region code 990101, valid check digit).

    Examples
    --------
    >>> import numpy as np
    >>> ids = id_numbers(np.random.default_rng(0), np.array(["1980-05-01"], dtype="datetime64[D]"), np.array(["男"]))
    >>> ids[0][:14], len(ids[0])
    ('99010119800501', 18)
    """
    n = len(birth_dates)
    ymd = np.datetime_as_string(np.asarray(birth_dates, dtype="datetime64[D]"), unit="D")
    ymd = np.char.replace(ymd, "-", "")
    seq = rng.integers(0, 100, n)
    sex = rng.integers(0, 5, n) * 2 + (np.asarray(genders) == "男")  # odd = male
    body = np.char.add(np.char.add("990101", ymd), np.char.add(np.char.zfill(seq.astype(str), 2), sex.astype(str)))
    digits = np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(n, 17) - 48
    check = _ID_CHECK[(digits.astype(np.int64) @ _ID_WEIGHTS) % 11]
    return np.char.add(body, check)


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct fictional mobile numbers (prefix 199).

    Examples
    --------
    >>> import numpy as np
    >>> p = phone_numbers(np.random.default_rng(0), 3)
    >>> len(set(p)), p[0][:3]
    (3, '199')
    """
    nums = rng.choice(100_000_000, size=n, replace=False)
    return np.char.add("199", np.char.zfill(nums.astype(str), 8))
