"""The evidence pack's printable page as a PDF (xhtml2pdf: HTML and CSS to PDF, in pure Python)."""
from __future__ import annotations

import io
import logging

from xhtml2pdf import pisa

logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)  # it warns about every CSS rule it cannot draw


NOTHING = "data:text/plain;base64,"  # what every link resolves to: an empty document, never the one named


class PdfFailed(Exception):
    """The page could not be laid out as a PDF."""


def _no_resources(uri: str, rel: str) -> str:
    """Nothing outside the page is fetched: no file, URL or server path may be read into a pack."""
    return NOTHING


def page_pdf(html: str) -> bytes:
    """Lay out a self-contained HTML page as a PDF."""
    buffer = io.BytesIO()
    result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8", link_callback=_no_resources)
    if result.err:
        raise PdfFailed(f"{result.err} layout errors")
    return buffer.getvalue()
