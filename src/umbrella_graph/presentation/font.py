"""The embedded CJK font: every page carries the glyphs it uses, so Chinese renders anywhere.

A stock Debian (or a locked-down Windows) machine may have no CJK font at all, and a page
that makes no network request cannot fetch one: without an embedded font every Chinese
character is a box ("tofu"). The package ships ``reporting/assets/fonts/NotoSansSC-Common.woff2``:
Noto Sans CJK SC Regular (SIL Open Font License 1.1, text in ``assets/fonts/OFL.txt``)
cut by ``scripts/make-font`` to GB2312 and the frequent traditional hanzi of Big5 level 1
(10,034 characters, 2.9 MB; the whole GBK set would be 6.2 MB) plus ASCII, Latin-1 and
punctuation.
Each page embeds a further subset of it, made with fontTools, holding exactly the
characters of that page, as a base64 WOFF ``@font-face`` (allowed by the page's CSP,
``font-src data:``).

A character the shipped font lacks (an emoji, a rare character outside that set) cannot be
embedded: the browser draws it with whatever font the machine has, or a box. Such
characters are returned by :func:`embedded_font` and listed on the page, so the gap is
visible rather than silent.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

__all__ = ["FONT_FAMILY", "FONT_NOTICE", "EmbeddedFont", "embedded_font", "font_coverage"]

logger = logging.getLogger(__name__)

#: The CSS family name of the embedded font (the page's styles list it first).
FONT_FAMILY = "UG Noto Sans SC"
#: One line for the page footer: which font is embedded, under which licence.
FONT_NOTICE = (
    "Text set in Noto Sans SC (© 2014-2021 Adobe; Noto is a trademark of Google Inc.), subset and "
    "embedded under the SIL Open Font License 1.1 (text shipped in umbrella_graph/reporting/assets/fonts/OFL.txt)."
)
_FONT_FILE = "NotoSansSC-Common.woff2"


def _font_resource() -> bytes:
    return (resources.files("umbrella_graph") / "reporting" / "assets" / "fonts" / _FONT_FILE).read_bytes()


@functools.cache
def font_coverage() -> frozenset[int]:
    """The code points the shipped font has glyphs for (read once; an immutable set).

    Examples
    --------
    >>> cov = font_coverage()
    >>> ord("伞") in cov, ord("A") in cov, 0x1F600 in cov
    (True, True, False)
    """
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_font_resource()), lazy=True)
    return frozenset(font.getBestCmap())


def _needs_glyph(ch: str) -> bool:
    """Characters that draw something (not controls, not spaces, not format marks)."""
    cat = unicodedata.category(ch)
    return not (cat.startswith("C") or cat.startswith("Z"))


@dataclass(frozen=True)
class EmbeddedFont:
    """The font a page embeds.

    Attributes
    ----------
    css : str
        An ``@font-face`` rule with the subset as a base64 WOFF data URL.
    characters : int
        Characters the subset holds.
    missing : str
        Characters of the page the shipped font lacks (sorted, each once): drawn by the
        machine's fonts or as boxes.
    size : int
        Bytes of the WOFF subset.
    """

    css: str
    characters: int
    missing: str
    size: int


def embedded_font(texts: Iterable[str]) -> EmbeddedFont:
    """Subset the shipped font to the characters of ``texts``, as an ``@font-face`` rule.

    Printable ASCII is always included (ids, numbers and Latin text keep one look).
    The result is deterministic: the same characters give the same bytes.

    Parameters
    ----------
    texts : iterable of str
        Every text the page shows (its HTML and the strings of its data).

    Returns
    -------
    EmbeddedFont

    Examples
    --------
    >>> f = embedded_font(["保护伞 关系网 😀"])
    >>> f.css.startswith("@font-face"), f.missing
    (True, '😀')
    >>> f.characters > 95
    True
    """
    from fontTools import subset

    used: set[str] = {chr(c) for c in range(0x20, 0x7F)}
    for t in texts:
        used.update(t)
    cover = font_coverage()
    chars = sorted(c for c in used if _needs_glyph(c) or c == " ")
    keep = [ord(c) for c in chars if ord(c) in cover]
    missing = "".join(c for c in chars if ord(c) not in cover and _needs_glyph(c))
    if missing:
        logger.info("embedded font lacks %d character(s) used on the page", len(missing))
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_font_resource()), recalcTimestamp=False)
    opts = subset.Options()
    # horizontal text in the SC font's default forms: no OpenType layout features and no
    # vertical metrics are needed (a third smaller, and faster to make)
    opts.layout_features = []
    opts.drop_tables += ["VORG", "vhea", "vmtx"]
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(font)
    # WOFF (zlib), not WOFF2: brotli at fontTools' fixed quality 11 takes seconds on a
    # city-sized report's thousands of glyphs, for a file only ~12% smaller
    font.flavor = "woff"
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    b64 = base64.b64encode(data).decode("ascii")
    css = (f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: normal; font-weight: 100 900; '
           f'font-display: block; src: url(data:font/woff;base64,{b64}) format("woff"); }}')
    return EmbeddedFont(css=css, characters=len(keep), missing=missing, size=len(data))
