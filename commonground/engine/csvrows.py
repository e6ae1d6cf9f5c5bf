"""Rows of a small CSV file (a panel pool, quotas, a roll, a survey, an ownership extract) for the
importers, with one error type whose message names the line, whatever the file holds.

csv.DictReader raises csv.Error on a field past the size limit (an unclosed quote swallows the
rest of the file), files a row's extra fields under the key None as a list (the survey importer
called .strip() on it), and counts rows rather than lines; this reader does none of that.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable


class CsvError(ValueError):
    """The file cannot be read as CSV rows; the message names the line (the header is line 1)."""


def read(lines: Iterable[str]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (trimmed) and each non-blank row as (line number, {column: trimmed value}).

    A missing trailing field is ""; extra fields are an error unless they are blank (a spreadsheet's
    trailing commas). Line numbers are lines of the file, so a quoted field running over several
    lines does not shift the numbers after it.
    """
    reader = csv.reader(lines)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CsvError(f"line {line}: cannot be read as CSV ({exc})") from None
        if any("\x00" in f for f in fields):
            raise CsvError(f"line {line}: contains a NUL character, so it is not a text CSV file")
        if not any(f.strip() for f in fields):
            pass  # a blank line
        elif header is None:
            header = [f.strip().lstrip("\ufeff").strip() for f in fields]
        elif any(f.strip() for f in fields[len(header) :]):
            raise CsvError(f"line {line}: {len(fields)} fields where the header has {len(header)}")
        else:
            values = [f.strip() for f in fields[: len(header)]] + [""] * (len(header) - len(fields))
            rows.append((line, dict(zip(header, values, strict=True))))
        line = reader.line_num + 1
    if header is None:
        raise CsvError("line 1: no header row (the file is empty)")
    return header, rows
