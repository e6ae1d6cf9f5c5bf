"""Read the ONS postcode directories (ONSPD and the National Statistics Postcode Lookup, NSPL):
postcode to LSOA, for checking a voter lives in an area.

The real files have about 2.7 million rows, so they are read in chunks and only the postcodes
whose LSOA the caller wants are kept. Live postcodes only: a row with a termination date
(`doterm`, YYYYMM) is a postcode Royal Mail no longer delivers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine.tables import DataError

# The unit postcode format (BS 7666): outward code = area letters, district; inward = sector digit,
# unit letters. GIR 0AA is the one historic exception still published.
POSTCODE = re.compile(r"GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2")
LSOA_COLUMNS = {"lsoa11": ("lsoa11", "lsoa11cd"), "lsoa21": ("lsoa21", "lsoa21cd")}
TERMINATED_COLUMNS = ("doterm",)
CHUNK_ROWS = 200_000

Progress = Callable[[int, int], None]  # (bytes read, file size)


def normalise(text: str) -> str | None:
    """A postcode in its published form ("AB1 2CD"), or None when the text is not one."""
    compact = re.sub(r"\s+", "", str(text)).upper()
    if not POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


@dataclass
class PostcodeReader:
    """Reads one directory file; `chunks()` yields the kept rows, the counters say what was skipped.

    `wanted` maps an LSOA vintage ("lsoa11", "lsoa21") to the LSOA codes to keep postcodes for.
    """

    path: Path
    wanted: Mapping[str, Collection[str]]
    chunk_rows: int = CHUNK_ROWS
    progress: Progress = lambda done, total: None  # noqa: E731
    rows: int = 0
    terminated: int = 0
    outside: int = 0
    columns: dict[str, str] = field(default_factory=dict)

    def _header(self) -> tuple[str, dict[str, str], str | None]:
        try:
            header = pd.read_csv(self.path, nrows=0, encoding="utf-8-sig", dtype=str)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(self.path, f"not a readable CSV file ({str(exc).splitlines()[0]})") from exc
        lowered = {str(c).strip().lower(): str(c) for c in header.columns}

        def first(candidates: Collection[str]) -> str | None:
            return next((lowered[c] for c in candidates if c in lowered), None)

        postcode = first(POSTCODE_COLUMNS)
        if postcode is None:
            raise DataError(self.path, f"no column for the postcode; expected one of {list(POSTCODE_COLUMNS)}")
        lsoas = {vintage: col for vintage, names in LSOA_COLUMNS.items() if (col := first(names)) is not None}
        if not lsoas:
            expected = [name for names in LSOA_COLUMNS.values() for name in names]
            raise DataError(self.path, f"no column for the LSOA; expected one of {expected}")
        return postcode, lsoas, first(TERMINATED_COLUMNS)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Frames with columns row (as a spreadsheet numbers it), postcode, vintage, lsoa."""
        if not self.path.is_file():
            raise DataError(self.path, "file not found")
        postcode_col, lsoa_cols, doterm_col = self._header()
        self.columns = {"postcode": postcode_col, **lsoa_cols, **({"doterm": doterm_col} if doterm_col else {})}
        wanted = {v: frozenset(self.wanted.get(v, ())) for v in lsoa_cols}
        seen: set[str] = set()  # postcodes kept so far: the file lists each one once
        size = self.path.stat().st_size
        with self.path.open("rb") as handle:
            reader = pd.read_csv(
                handle,
                encoding="utf-8-sig",
                dtype=str,
                keep_default_na=False,
                usecols=list(self.columns.values()),
                chunksize=self.chunk_rows,
            )
            try:
                for chunk in reader:
                    yield self._chunk(chunk, postcode_col, lsoa_cols, doterm_col, wanted, seen)
                    self.progress(min(handle.tell(), size), size)
            except (UnicodeDecodeError, pd.errors.ParserError) as exc:
                where = f" after row {self.rows + 1}" if self.rows else ""
                raise DataError(self.path, f"not a readable CSV file{where} ({str(exc).splitlines()[0]})") from exc
        self.progress(size, size)

    def _chunk(self, chunk: pd.DataFrame, postcode_col: str, lsoa_cols: dict[str, str], doterm_col: str | None,
               wanted: dict[str, frozenset[str]], seen: set[str]) -> pd.DataFrame:  # fmt: skip
        first_row = self.rows + 2  # the header is row 1
        self.rows += len(chunk)
        live = np.ones(len(chunk), dtype=bool)
        if doterm_col is not None:
            doterm = chunk[doterm_col].str.strip()
            bad = ~(doterm.eq("") | doterm.str.fullmatch(r"\d{6}"))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataError(self.path, f"{chunk[doterm_col].iloc[i]!r} is not a termination date (YYYYMM)",
                                row=first_row + i, column=doterm_col)  # fmt: skip
            live = doterm.eq("").to_numpy()
            self.terminated += int((~live).sum())
        lsoas = {vintage: chunk[column].str.strip().str.upper() for vintage, column in lsoa_cols.items()}
        keeps = {vintage: live & codes.isin(wanted[vintage]).to_numpy() for vintage, codes in lsoas.items()}
        kept = np.logical_or.reduce(list(keeps.values()))
        self.outside += int((live & ~kept).sum())
        index = np.flatnonzero(kept)
        compact = chunk[postcode_col].iloc[index].str.replace(r"\s+", "", regex=True).str.upper()
        bad = ~compact.str.fullmatch(POSTCODE.pattern)
        if bad.any():
            i = int(index[np.flatnonzero(bad.to_numpy())[0]])
            text = chunk[postcode_col].iloc[i]
            message = "postcode is blank" if not text.strip() else f"{text!r} is not a postcode"
            raise DataError(self.path, message, row=first_row + i, column=postcode_col)
        formatted = (compact.str[:-3] + " " + compact.str[-3:]).to_numpy(dtype=object)
        duplicated = pd.Series(formatted).duplicated().to_numpy() | np.fromiter(
            (p in seen for p in formatted), dtype=bool, count=len(formatted)
        )
        if duplicated.any():
            i = int(np.flatnonzero(duplicated)[0])
            raise DataError(self.path, f"postcode {formatted[i]} appears more than once",
                            row=first_row + int(index[i]), column=postcode_col)  # fmt: skip
        seen.update(formatted)
        parts = []
        for vintage, keep in keeps.items():
            mine = keep[index]
            if mine.any():
                lsoa = lsoas[vintage].iloc[index[mine]].to_numpy(dtype=object)
                rows = {"row": index[mine] + first_row, "postcode": formatted[mine], "vintage": vintage, "lsoa": lsoa}
                parts.append(pd.DataFrame(rows))
        if not parts:
            return pd.DataFrame({"row": [], "postcode": [], "vintage": [], "lsoa": []})
        return pd.concat(parts, ignore_index=True)
