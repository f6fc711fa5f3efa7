"""Self-contained HTML pages: inlined assets, safe JSON data blocks, a strict CSP.

Every page this package writes (a network view, the case report) is one file that makes
no network request:

* scripts and styles are inlined: vis-network's JS/CSS are read from the installed
  ``pyvis`` package (``pyvis/lib/vis-9.1.2``), ours from ``reporting/assets`` (they stay
  there, next to the report, and are read from here without importing the report);
* data goes in as JSON inside ``<script type="application/json">`` with ``<``, ``>``,
  ``&``, U+2028 and U+2029 escaped (:func:`json_for_html`), so no string in the data can
  close the element; scripts put user text into the page with ``textContent`` only;
* a Content-Security-Policy ``<meta>`` forbids every fetch (``default-src 'none'``) and
  allows only the page's own inline scripts, by hash: an injected ``<script>`` or
  ``onerror=`` handler would not run even if escaping failed somewhere.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = [
    "VIS_VERSION",
    "VIS_LICENSE",
    "json_for_html",
    "read_asset",
    "vis_assets",
    "Page",
    "render_template",
]

VIS_VERSION = "9.1.2"
VIS_LICENSE = (
    "vis-network 9.1.2 (c) 2011-2017 Almende B.V, (c) 2017-2019 visjs contributors; "
    "dual licensed under the Apache License 2.0 and the MIT License "
    "(inlined from the pyvis package)."
)

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def json_for_html(data: Any) -> str:
    """Serialise ``data`` as JSON that is safe inside a ``<script>`` element.

    Examples
    --------
    >>> json_for_html({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def _script_safe(js: str) -> str:
    """Make inlined script text unable to end its ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _style_safe(css: str) -> str:
    """Make inlined style text unable to end its ``<style>`` element early."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def read_asset(name: str) -> str:
    """The text of one of the page assets (``umbrella_graph/reporting/assets/<name>``)."""
    return _read_asset(name)


@functools.cache
def _read_asset(name: str) -> str:
    # the report's assets folder, reached from the top package so that reading an asset
    # does not import the reporting package (it sits above this one)
    return (resources.files("umbrella_graph") / "reporting" / "assets" / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's ``(js, css)`` read from the installed pyvis package.

    pyvis ships the library for its ``local``/``in_line`` modes; we read the same files
    and inline them ourselves (pyvis's own templates still load Bootstrap or vis-network
    from a CDN).
    """
    import pyvis

    base = Path(pyvis.__file__).resolve().parent / "lib" / f"vis-{VIS_VERSION}"
    js = (base / "vis-network.min.js").read_text(encoding="utf-8")
    css = (base / "vis-network.css").read_text(encoding="utf-8")
    return _script_safe(js), _style_safe(css)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: Any) -> Markup:
    """Render the asset template ``name`` with autoescaping on (every value escaped)."""
    template = _env().from_string(_read_asset(name))
    return Markup(template.render(**context))


@dataclass
class Page:
    """A self-contained HTML page.

    Attributes
    ----------
    title : str
        The document title (escaped).
    body : Markup
        The body, already escaped (rendered from an autoescaping template).
    data : dict
        JSON data for the page's scripts, in ``<script id="ug-data" type="application/json">``.
    scripts : list of str
        Names of script assets to inline after the data block (``vis`` for vis-network).
    styles : list of str
        Names of style assets to inline (``vis`` for vis-network's CSS).
    """

    title: str
    body: Markup
    data: dict[str, Any]
    scripts: list[str]
    styles: list[str]
    lang: str = "zh-CN"
    body_class: str = ""
    embed_font: bool = True

    def render(self) -> str:
        """The complete HTML document."""
        js_parts = []
        for name in self.scripts:
            js_parts.append(vis_assets()[0] if name == "vis" else _script_safe(_read_asset(name)))
        css_parts = [vis_assets()[1] if name == "vis" else _style_safe(_read_asset(name))
                     for name in self.styles]
        hashes = " ".join(_sha256(js) for js in js_parts)
        csp = (
            "default-src 'none'; "
            f"script-src {hashes}; "
            "style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; "
            "worker-src 'none'; base-uri 'none'; form-action 'none'"
        )
        head = render_template(
            "head.html.j2", title=self.title, csp=csp, lang=self.lang
        )
        data_json = json_for_html(self.data)
        font_note = ""
        if self.embed_font:
            from .font import embedded_font

            own_js = [_read_asset(n) for n in self.scripts if n != "vis"]
            # the data's strings as the page will show them (JSON escapes undone)
            font = embedded_font([self.title, str(self.body), json.dumps(self.data, ensure_ascii=False), *own_js])
            if font.css:
                css_parts.insert(0, font.css)
            if font.missing:
                font_note = str(render_template("font_missing.html.j2", missing=" ".join(font.missing)))
        out = [str(head)]
        for css in css_parts:
            out.append("<style>")
            out.append(css)
            out.append("</style>\n")
        out.append(str(render_template("body_open.html.j2", body_class=self.body_class)))
        out.append(font_note)
        out.append(str(self.body))
        out.append('<script id="ug-data" type="application/json">')
        out.append(data_json)
        out.append("</script>\n")
        for js in js_parts:
            out.append("<script>")
            out.append(js)
            out.append("</script>\n")
        out.append("</body>\n</html>\n")
        return "".join(out)
