"""CSV downloads for spreadsheet programs: streamed, UTF-8 with a byte order mark, and
every cell safe from formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab or
carriage return lead some programs to the same), so a person named
`=HYPERLINK("http://x","y")` would become a link in the admin's spreadsheet. Such a cell
gets a leading single quote, which spreadsheets show as text (OWASP's advice).

Shared by the admin downloads, the cohort run's and `flask match-cohort --csv`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 32_768  # characters
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def neutralise(value: object) -> str:
    """A cell's text, with a leading `'` when a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header and each row as one CSV line, every cell through `neutralise`, without
    a byte order mark (for a pipe, where one would be read as part of the first name)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in itertools.chain([header], rows):
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_rows(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The byte order mark, then the header and each row as one CSV line."""
    yield BOM
    yield from csv_lines(header, rows)


def _in_chunks(lines: Iterator[str], size: int = CHUNK) -> Iterator[bytes]:
    """The lines as UTF-8, a few dozen kilobytes at a time: one write to the socket per
    chunk rather than per line, and never more than a chunk held."""
    held: list[str] = []
    length = 0
    for line in lines:
        held.append(line)
        length += len(line)
        if length >= size:
            yield "".join(held).encode()
            held, length = [], 0
    if held:
        yield "".join(held).encode()


def csv_response(
    filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> Response:
    """A download streamed line by line: `rows` is read while the response is sent, in
    the request's context, so a generator over a streamed query keeps memory flat."""
    response = Response(
        stream_with_context(_in_chunks(csv_rows(header, rows))),
        content_type="text/csv; charset=utf-8",
    )
    safe_name = _UNSAFE_IN_FILENAME.sub("-", filename) or "export.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
