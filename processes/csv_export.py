"""CSV files the product writes: every cell neutralised against spreadsheet formula injection (OWASP's advice)."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

# A spreadsheet treats a cell beginning with one of these as a formula; a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")  # a number cannot call anything, so it stays a number
_LEADING_BLANKS = " \u00a0"  # spreadsheets skip these before looking for a formula


def csv_cell(value: object) -> str:
    """One cell as text, with a ' in front when a spreadsheet would otherwise read it as a formula."""
    text = "" if value is None else str(value)
    if text.lstrip(_LEADING_BLANKS).startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text, every cell passed through csv_cell; every CSV export goes through here."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
