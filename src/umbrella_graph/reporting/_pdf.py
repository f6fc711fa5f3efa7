"""Print a report to PDF with headless Chromium (A4, the report's print stylesheet).

Chromium is the one renderer that draws the report exactly as the browser does (the
embedded font, the SVG charts, the network canvas) and it implements CSS paged media with
``@page`` margin boxes, which carry the page headers (case, date, "ID and phone numbers
masked") and page numbers. WeasyPrint or wkhtmltopdf would need their own fonts and run no
script (no network drawing); so the PDF is made by the browser the tests already use.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ParameterError, UmbrellaGraphError

__all__ = ["find_chromium", "print_pdf", "BRIEF_CLASS"]

logger = logging.getLogger(__name__)

#: Body class that limits printing to the brief (cards, network, top pairs, evidence charts).
BRIEF_CLASS = "ug-print-brief"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class PrintError(UmbrellaGraphError, RuntimeError):
    """Chromium could not print the report."""


def find_chromium() -> str:
    """The Chromium executable: ``$UG_CHROMIUM``, else the first of chromium,
    chromium-browser, google-chrome on the PATH."""
    env = os.environ.get("UG_CHROMIUM")
    if env:
        return env
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PrintError("printing to PDF needs Chromium or Chrome (apt-get install chromium, or set UG_CHROMIUM)")


def print_pdf(html: str | Path, pdf: str | Path, *, brief: bool = True, timeout: float = 180.0,
              chromium: str | None = None) -> Path:
    """Print a report (an HTML file written by :func:`~umbrella_graph.reporting.report`) to PDF.

    Parameters
    ----------
    html : str or Path
        The report file.
    pdf : str or Path
        The PDF to write (must end in ``.pdf``).
    brief : bool, default True
        Print only the brief: the suspects' cards, the network, the top 20 pairs with
        their score breakdown, each detailed pair's signals and charts, and the data gaps
        (the campaign analyses and the case summary are left to the HTML file).
    timeout : float
        Seconds to wait for Chromium.
    chromium : str, optional
        The browser executable (default :func:`find_chromium`).

    Returns
    -------
    pathlib.Path
        The PDF written.
    """
    src = Path(html)
    out = Path(pdf)
    if out.suffix.lower() != ".pdf":
        raise ParameterError.invalid("pdf", "print_pdf", "a file name ending in .pdf", out.name)
    if not src.is_file():
        raise ParameterError.invalid("html", "print_pdf", "an existing report file", src.name)
    exe = chromium or find_chromium()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ug-print-") as tmp:
        page = src
        if brief:
            text = src.read_text(encoding="utf-8")
            marker = '<body class="ug-report">'
            if marker not in text:
                raise ParameterError.invalid("html", "print_pdf", "a report written by umbrella_graph.report", src.name)
            page = Path(tmp) / "brief.html"
            page.write_text(text.replace(marker, f'<body class="ug-report {BRIEF_CLASS}">', 1), encoding="utf-8")
        target = Path(tmp) / "out.pdf"
        cmd = [exe, "--headless=new", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000",
               f"--print-to-pdf={target}", page.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PrintError(f"Chromium could not print the report ({type(exc).__name__})") from exc
        if res.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            logger.debug("chromium stderr: %s", res.stderr[-2000:])
            raise PrintError(f"Chromium could not print the report (exit code {res.returncode})")
        shutil.move(str(target), out)
    logger.info("report printed to PDF: %d bytes", out.stat().st_size)
    return out
