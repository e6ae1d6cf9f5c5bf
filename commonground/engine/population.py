"""Population by age band and sex for LSOAs, summed up to wards, districts and regions.

Used where a process is compared with the people it serves: a citizens' panel's default quotas
and a participatory budget's voters against the area. The bands are those of the ONS mid-year
small-area estimates as the data pack carries them (0–15, 16–64, 65+; female, male).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv


@dataclass(frozen=True)
class Band:
    slug: str  # the measure's slug in places, e.g. pop_0_15
    key: str  # the value's key in a quota or an equality question, e.g. 0_15
    label: str


@dataclass(frozen=True)
class BandGroup:
    key: str
    label: str
    bands: tuple[Band, ...]


AGE = BandGroup(
    "age",
    "Age",
    (
        Band("pop_0_15", "0_15", "0 to 15"),
        Band("pop_16_64", "16_64", "16 to 64"),
        Band("pop_65_plus", "65_plus", "65 and over"),
    ),
)
SEX = BandGroup("sex", "Sex", (Band("pop_female", "female", "Female"), Band("pop_male", "male", "Male")))
GROUPS = (AGE, SEX)
BANDS = tuple(band for group in GROUPS for band in group.bands)


def band_headers(band: Band) -> list[str]:
    """Headers a band may have: ours (pop_0_15), or the bare key with a prefix (age_0_15, females)."""
    return [band.slug, band.key, f"age_{band.key}", f"aged_{band.key}", f"{band.key}s"]


def has_bands(path: Path | str) -> bool:
    """Whether an LSOA population table carries every band (some carry the total only)."""
    header = {c.strip().lower() for c in pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns}
    return all(any(h.lower() in header for h in band_headers(band)) for band in BANDS)


def read_bands(path: Path | str) -> pd.DataFrame:
    """The LSOA table (index = LSOA code, one column per band slug), checked: whole non-negative
    counts whose age bands and whose sexes each add up to the stated total where one is given."""
    frame = read_csv(path)
    code = find_column(
        frame, path, ["lsoa11_code", "lsoa21_code", "lsoa_code", "LSOA code", "LSOA21CD"], "the LSOA code"
    )
    table = pd.DataFrame(index=pd.Index(codes(frame, path, code), name="code"))
    for band in BANDS:
        column = find_column(frame, path, band_headers(band), band.label.lower())
        values = numeric(frame, path, column)
        bad = np.flatnonzero((values < 0) | (values != np.round(values)))
        if bad.size:
            raise DataError(path, "a population count must be a whole number, 0 or more", row=int(bad[0]) + 2,
                            column=column)  # fmt: skip
        table[band.slug] = values
    total_column = next((c for c in frame.columns if c.lower().startswith(("pop_total", "total"))), None)
    if total_column is not None:
        total = numeric(frame, path, total_column)
        for group in GROUPS:
            summed = table[[b.slug for b in group.bands]].to_numpy().sum(axis=1)
            bad = np.flatnonzero(summed != total)
            if bad.size:
                i = int(bad[0])
                raise DataError(path, f"the {group.label.lower()} bands add up to {summed[i]:.0f}, not the total "
                                      f"{total[i]:.0f}", row=i + 2, column=total_column)  # fmt: skip
    return table


def sum_to_parents(table: pd.DataFrame, parent_of: dict[str, str | None]) -> pd.DataFrame:
    """Counts add up: a parent's band is the sum over its LSOAs (those without a parent are left out)."""
    parents = pd.Series([parent_of.get(c) or "" for c in table.index], index=table.index)
    kept = table[parents != ""]
    return kept.groupby(parents[parents != ""]).sum()


def shares(counts: dict[str, float]) -> dict[str, dict[str, float]]:
    """Each band's share of its group (age shares add up to 1, and so do the sexes)."""
    out: dict[str, dict[str, float]] = {}
    for group in GROUPS:
        total = sum(counts.get(b.slug, 0.0) for b in group.bands)
        out[group.key] = {b.key: (counts.get(b.slug, 0.0) / total if total else 0.0) for b in group.bands}
    return out
