"""Read the CSV layouts official publications use, with errors that name file, row and column.

Official "File" CSVs carry a UTF-8 byte-order mark and thousands separators ("29,199").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd


class DataError(ValueError):
    """Bad input data; the message names the file, and the row and column where known."""

    def __init__(self, path: Path | str, message: str, row: int | None = None, column: str | None = None):
        where = str(path)
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.column = str(path), row, column


def read_csv(path: Path | str) -> pd.DataFrame:
    """All columns as text, BOM stripped, header whitespace trimmed."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file not found")
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(path, "empty file (no header row)") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(path, f"not a readable CSV file ({str(exc).splitlines()[0]})") from exc
    except OSError as exc:
        raise DataError(path, f"cannot read ({exc.strerror or exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):  # pandas renames repeats ("a.1"), but not ones that differ only in spaces
        raise DataError(path, f"column {repeated[0]!r} appears twice in the header")
    return frame


def find_column(frame: pd.DataFrame, path: Path | str, candidates: Sequence[str], what: str) -> str:
    """The first candidate header present (case-insensitive), or an error listing what was looked for."""
    lowered = {c.lower(): c for c in frame.columns}
    for candidate in candidates:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    raise DataError(path, f"no column for {what}; expected one of {list(candidates)}")


def numeric(frame: pd.DataFrame, path: Path | str, column: str, *, allow_blank: bool = False) -> np.ndarray:
    """Parse a column of numbers ("29,199" included); the first bad cell is named by row number.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    text = frame[column].str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    blank = allow_blank & (text == "").to_numpy()
    bad = ~np.isfinite(values) & ~blank  # "inf" and "1e400" parse, but are no count or score
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(path, f"{frame[column].iloc[i]!r} is not a number", row=i + 2, column=column)
    return values


def codes(frame: pd.DataFrame, path: Path | str, column: str) -> np.ndarray:
    """A column of area codes: stripped, upper-case, no blanks, no duplicates."""
    values = frame[column].str.strip().str.upper().to_numpy(dtype=object)
    blank = np.flatnonzero(values == "")
    if blank.size:
        raise DataError(path, "area code is blank", row=int(blank[0]) + 2, column=column)
    duplicated = pd.Series(values).duplicated().to_numpy()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated)[0])
        raise DataError(path, f"area code {values[i]} appears more than once", row=i + 2, column=column)
    return values


def require_columns(frame: pd.DataFrame, path: Path | str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {missing}; found {list(frame.columns)[:12]}")
