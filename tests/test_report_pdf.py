"""`umbrella-graph report --pdf`: the printed brief, through headless Chromium.

The page count and the text of each page are read with poppler's pdfinfo / pdftotext
(scripts/setup --system installs poppler-utils); a missing tool fails the test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from umbrella_graph.cli import main

pytestmark = pytest.mark.browser


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed (poppler-utils): run scripts/setup --system")
    return path


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path, page: int) -> str:
    return subprocess.run([_tool("pdftotext"), "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_pdf_brief_of_the_top_10_fits_20_pages(sample_dir, tmp_path):
    html = tmp_path / "qinghe.html"
    res = CliRunner().invoke(main, ["report", str(sample_dir), "-o", str(html), "--top", "30", "--details", "10",
                                    "--brief", "10", "--date", "2024-05-01", "--pdf"])
    assert res.exit_code == 0, res.output
    pdf = html.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    n = pdf_pages(pdf)
    assert 5 <= n <= 20, n
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    for page in range(1, n + 1):
        text = pdf_text(pdf, page)
        # the page header: case, date, masking notice; the footer: page number
        assert "Case qinghe" in text and "2024-05-01" in text, page
        assert "ID and phone numbers masked" in text, page
        assert f"{page} / {n}" in text, page
    first = pdf_text(pdf, 1)
    assert "#1" in first and "刘建军" in first  # the top suspect's card opens the brief, in Chinese
    everything = "".join(pdf_text(pdf, p) for p in range(1, n + 1))
    for k in range(1, 11):
        assert f"#{k} " in everything  # every top-10 suspect has a card
    assert "13800138000" not in everything


def test_pdf_needs_a_pdf_name(sample_dir, tmp_path):
    res = CliRunner().invoke(main, ["report", str(sample_dir), "-o", str(tmp_path / "r.html"),
                                    "--pdf", str(tmp_path / "r.txt"), "--no-investigations"])
    assert res.exit_code != 0 and ".pdf" in res.output
