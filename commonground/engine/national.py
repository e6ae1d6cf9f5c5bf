"""England-wide pipelines over a directory laid out like the official publications (and ../shared/data).

Relative file names are the contract with `commonground data load --from DIR`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine import geography, imd_files
from commonground.engine.indices import deciles, imd_from_domain_ranks, imd_from_domain_scores
from commonground.engine.tables import DataError, codes, find_column, read_csv

# File 7 is the official all-in-one CSV that `commonground data fetch` downloads; the data pack
# has File 2 and a compact table instead. All three carry the domain ranks.
IMD2019_FILE7 = "imd2019/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
IMD2019_DOMAIN_FILES = (
    IMD2019_FILE7,
    "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv",
    "imd2019/imd2019_england_lsoa11.csv",
)
IMD2019_POPULATION_FILES = ("imd2019/File_6_-_IoD2019_Population_Denominators.csv", IMD2019_FILE7)
IMD2019_POPULATION = IMD2019_POPULATION_FILES[0]
LOOKUP_LSOA11_WARD17 = "lookups/lookup_lsoa11_ward17.csv"
LOOKUP_LSOA11_LTLA19 = "lookups/lookup_lsoa11_ltla19.csv"
LOOKUP_LTLA19_REGION19 = "lookups/lookup_ltla19_region19.csv"


def first_present(data_dir: Path, candidates: tuple[str, ...]) -> Path:
    for relative in candidates:
        if (data_dir / relative).is_file():
            return data_dir / relative
    raise DataError(data_dir, f"none of {list(candidates)} is present")


def imd_lsoa_table(domains: imd_files.DomainTable, population: dict[str, float]) -> geography.LsoaTable:
    """Recompute the IMD from the domains (IoD 2019 method) and attach populations."""
    result = (
        imd_from_domain_scores(domains.values) if domains.kind == "scores" else imd_from_domain_ranks(domains.values)
    )
    pop = geography.align(population, domains.lsoa_codes, "population")
    return geography.LsoaTable(codes=domains.lsoa_codes, score=result.score, rank=result.rank, population=pop)


def imd2019_lsoas(data_dir: Path | str) -> geography.LsoaTable:
    data_dir = Path(data_dir)
    domains = imd_files.read_domains(first_present(data_dir, IMD2019_DOMAIN_FILES))
    population = geography.read_population(first_present(data_dir, IMD2019_POPULATION_FILES))
    return imd_lsoa_table(domains, population)


def parents(lsoas: geography.LsoaTable, lookup: dict[str, str]) -> np.ndarray:
    return np.array([lookup.get(code, "") for code in lsoas.codes], dtype=object)


def imd2019_wards17(data_dir: Path | str, lsoas: geography.LsoaTable | None = None) -> pd.DataFrame:
    """Ward (2017) IMD 2019 from LSOAs through ONS's best-fit LSOA11→WD17 lookup."""
    data_dir = Path(data_dir)
    lsoas = lsoas or imd2019_lsoas(data_dir)
    lookup = geography.read_lookup(first_present(data_dir, (LOOKUP_LSOA11_WARD17,)), "lsoa11", "ward17")
    return geography.aggregate(lsoas, parents(lsoas, lookup))


def imd_table(result_codes: np.ndarray, score: np.ndarray, rank: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"lsoa_code": result_codes, "imd_score": score, "imd_rank": rank, "imd_decile": deciles(rank)})


# The 2021 geography: LSOAs (2021), MSOAs (2021), wards and districts (2024), and the IoD 2025 ------------

IMD2025_LSOAS = "imd2025/imd2025_england_lsoa21.csv"
IMD2025_INDICATORS = "imd2025/imd2025_england_lsoa21_indicators.csv"
CNI2019 = "cni/cni2019_england_ward17.csv"
CNI2023 = "cni/cni2023_england_lsoa21.csv"
LOOKUP_LSOA21_WARD24 = "lookups/lookup_lsoa21_ward24_ltla24.csv"
LOOKUP_LSOA21_MSOA21 = "lookups/lookup_lsoa21_msoa21.csv"
LOOKUP_LSOA11_LSOA21 = "lookups/lookup_lsoa11_lsoa21_ltla22.csv"
LOOKUP_LTLA21_REGION21 = "lookups/lookup_ltla21_region21.csv"
POPULATION_LSOA11 = "population/lsoa11_population_mid2019_EW.csv"
POPULATION_LSOA21 = "population/lsoa21_population_mid*.csv"  # mid-2022 in the pack; `data fetch` gets the latest
LOOKUP_LTLA24_REGION24 = "lookups/lookup_ltla24_region24.csv"  # built by `data fetch` from ONS's 2024 lookup
NEED_PROXY_2025 = "community_need_proxy_2025.toml"
LSOA21_COLUMNS = {  # our name → headers seen in the pack and in ONS's own lookups
    "lsoa21_code": ["lsoa21_code", "LSOA21CD"], "lsoa21_name": ["lsoa21_name", "LSOA21NM"],
    "ward24_code": ["ward24_code", "WD24CD"], "ward24_name": ["ward24_name", "WD24NM"],
    "ltla24_code": ["ltla24_code", "lad24_code", "LAD24CD"], "ltla24_name": ["ltla24_name", "lad24_name", "LAD24NM"],
}  # fmt: skip


@dataclass(frozen=True)
class Population:
    """Whole people per LSOA, and where the figures come from (shown beside every population)."""

    counts: dict[str, float]
    note: str


def lsoa21_population_file(data_dir: Path | str) -> Path | None:
    """The latest ONS estimates for 2021 LSOAs present (file names end in the year: mid2022, mid2024)."""
    found = sorted(Path(data_dir).glob(POPULATION_LSOA21))
    return found[-1] if found else None


def population_year(path: Path) -> str:
    return path.stem.rsplit("mid", 1)[-1]


def lsoa21_population(data_dir: Path | str) -> Population:
    """ONS mid-2022 estimates for 2021 LSOAs when the pack has them (the IoD 2025 denominators); else the
    mid-2019 2011-LSOA estimates carried over through ONS's LSOA11→LSOA21 lookup, each 2011 LSOA's people
    shared equally among the 2021 LSOAs it maps to (exact for unchanged and merged LSOAs, not for splits)."""
    data_dir = Path(data_dir)
    estimates = lsoa21_population_file(data_dir)
    if estimates is not None:
        return Population(geography.read_population(estimates), f"ONS mid-{population_year(estimates)} estimates")
    older = geography.read_population(first_present(data_dir, (POPULATION_LSOA11,)))
    pairs = read_csv(first_present(data_dir, (LOOKUP_LSOA11_LSOA21,)))
    fan_out = pairs.groupby("lsoa11_code")["lsoa21_code"].transform("count").to_numpy()
    shares = np.array([older.get(c, 0.0) for c in pairs["lsoa11_code"]]) / fan_out
    carried = pd.Series(shares).groupby(pairs["lsoa21_code"].to_numpy()).sum().round()
    note = "ONS mid-2019, carried over from 2011 LSOAs"
    return Population(carried.to_dict(), note)


def lsoa21_areas(data_dir: Path | str) -> pd.DataFrame:
    """English 2021 LSOAs with their 2024 ward and district (ONS best fit) and, when the pack has the
    lookup, their 2021 MSOA (exact fit): one row per LSOA, codes and names."""
    data_dir = Path(data_dir)
    path = first_present(data_dir, (LOOKUP_LSOA21_WARD24,))
    frame = read_csv(path)
    frame = frame.rename(columns={find_column(frame, path, headers, ours): ours
                                  for ours, headers in LSOA21_COLUMNS.items()})  # fmt: skip
    frame = frame[frame["lsoa21_code"].str.startswith("E01")][list(LSOA21_COLUMNS)].reset_index(drop=True)
    codes(frame, path, "lsoa21_code")
    if (data_dir / LOOKUP_LSOA21_MSOA21).is_file():
        msoas = read_csv(data_dir / LOOKUP_LSOA21_MSOA21)[["lsoa21_code", "msoa21_code", "msoa21_name"]]
        frame = frame.merge(msoas, on="lsoa21_code", how="left")
    return frame


def lad24_regions(data_dir: Path | str, lsoas: pd.DataFrame) -> dict[str, str]:
    """Region code of each 2024 district: from ONS's 2024 (or 2021) district→region lookup, else (for districts
    new since 2021) the region most of its LSOAs were in through the 2011 lookups (LSOA21→LSOA11→LAD19→region)."""
    data_dir = Path(data_dir)
    regions: dict[str, str] = {}
    for relative, lad, region in ((LOOKUP_LTLA21_REGION21, "ltla21_code", "region21_code"),
                                  (LOOKUP_LTLA24_REGION24, "ltla24_code", "region24_code")):  # fmt: skip
        if (data_dir / relative).is_file():
            frame = read_csv(data_dir / relative)
            regions.update(zip(frame[lad], frame[region], strict=True))
    missing = set(lsoas["ltla24_code"]) - set(regions)
    older = [LOOKUP_LSOA11_LSOA21, LOOKUP_LSOA11_LTLA19, LOOKUP_LTLA19_REGION19]
    if missing and all((data_dir / p).is_file() for p in older):
        pairs = read_csv(data_dir / LOOKUP_LSOA11_LSOA21)[["lsoa11_code", "lsoa21_code"]]
        lad19 = geography.read_lookup(data_dir / LOOKUP_LSOA11_LTLA19, "lsoa11", "ltla19")
        region19 = read_csv(data_dir / LOOKUP_LTLA19_REGION19)
        region_of = dict(zip(region19["ltla19_code"], region19["region19_code"], strict=True))
        pairs["region"] = [region_of.get(lad19.get(c, ""), "") for c in pairs["lsoa11_code"]]
        pairs = pairs.merge(lsoas[["lsoa21_code", "ltla24_code"]], on="lsoa21_code")
        pairs = pairs[pairs["ltla24_code"].isin(missing) & (pairs["region"] != "")]
        for lad, group in pairs.groupby("ltla24_code"):
            regions[lad] = group["region"].value_counts().sort_index().idxmax()
    return regions


def imd2025_lsoas(data_dir: Path | str, population: Population | None = None,
                  domains: imd_files.DomainTable | None = None) -> geography.LsoaTable:  # fmt: skip
    """IMD 2025 for every 2021 LSOA, recomputed from the domain ranks, with population weights."""
    data_dir = Path(data_dir)
    domains = domains or imd_files.read_domains(first_present(data_dir, (IMD2025_LSOAS,)))
    population = population or lsoa21_population(data_dir)
    table = imd_lsoa_table(domains, population.counts)
    return geography.LsoaTable(table.codes, table.score, table.rank, np.maximum(table.population, 1.0))


def cni_lsoas(path: Path | str, population: Population) -> geography.LsoaTable:
    """The CNI 2023 for every 2021 LSOA (score, published rank: 1 = most need), with population weights."""
    from commonground.engine.left_behind import read_cni

    cni = read_cni(path)
    if not str(cni.codes[0]).startswith("E01"):
        raise DataError(path, f"its areas are not 2021 LSOAs (the first is {cni.codes[0]}): is it the 2019 ward file?")
    weights = geography.align(population.counts, cni.codes, "population")
    return geography.LsoaTable(cni.codes, cni.score, cni.rank.astype(float), np.maximum(weights, 1.0))


def need_proxy_lsoas(data_dir: Path | str, population: Population) -> geography.LsoaTable:
    """The open proxy for community need (specs/community_need_proxy_2025.toml) on the IoD 2025 indicators."""
    from commonground.engine.composite import build_from_files

    spec = Path(__file__).resolve().parent.parent / "specs" / NEED_PROXY_2025
    _, result = build_from_files(spec, first_present(Path(data_dir), (IMD2025_INDICATORS,)))
    weights = geography.align(population.counts, result.ids, "population")
    return geography.LsoaTable(result.ids, result.score, result.rank.astype(float), np.maximum(weights, 1.0))


class PackSource:
    """A selection's figures read straight from a directory laid out like the national data pack
    (see commonground.engine.selection.Source); `cni` names a CNI file elsewhere."""

    def __init__(self, data_dir: Path | str, cni: Path | str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.cni = Path(cni) if cni else None
        if not self.data_dir.is_dir():
            raise DataError(self.data_dir, "directory not found")

    def _cni(self, relative: str) -> Path:
        return self.cni if self.cni is not None else first_present(self.data_dir, (relative,))

    @cache  # noqa: B019  (one source per command run)
    def population(self) -> Population:
        return lsoa21_population(self.data_dir)

    @cache  # noqa: B019
    def lsoas(self, dataset: str) -> geography.LsoaTable:
        if dataset == "imd2019":
            return imd2019_lsoas(self.data_dir)
        if dataset == "imd2025":
            return imd2025_lsoas(self.data_dir, self.population())
        if dataset == "cni2023":
            return cni_lsoas(self._cni(CNI2023), self.population())
        if dataset == "need-proxy-2025":
            return need_proxy_lsoas(self.data_dir, self.population())
        raise DataError(self.data_dir, f"{dataset} has no LSOA figures")

    def native(self, dataset: str, geography_key: str) -> pd.Series | None:
        if dataset != "cni2019" or geography_key != "ward17":
            return None
        from commonground.engine.left_behind import read_cni

        table = read_cni(self._cni(CNI2019))
        return pd.Series(table.score, index=table.codes)

    @cache  # noqa: B019
    def _region_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for relative, prefix in ((LOOKUP_LTLA19_REGION19, "region19"), (LOOKUP_LTLA21_REGION21, "region21")):
            if (self.data_dir / relative).is_file():
                frame = read_csv(self.data_dir / relative)
                names.update(zip(frame[f"{prefix}_code"], frame[f"{prefix}_name"], strict=True))
        return names

    @cache  # noqa: B019
    def _lsoa_frame(self, vintage: str) -> tuple[pd.DataFrame, dict[str, str]]:
        """Every LSOA of a vintage with its parents' codes, council, region and population; and, by
        geography, the column holding the parents' names."""
        if vintage == "lsoa21":
            frame = lsoa21_areas(self.data_dir)
            regions = lad24_regions(self.data_dir, frame)
            frame["region"] = frame["ltla24_code"].map(regions).map(self._region_names()).fillna("")
            people = self.population().counts
            frame = frame.rename(
                columns={
                    "lsoa21_code": "code",
                    "lsoa21_name": "name",
                    "ltla24_name": "council",
                    "ward24_code": "ward24",
                    "ltla24_code": "lad24",
                    "msoa21_code": "msoa21",
                }
            )
            names = {"ward24": "ward24_name", "lad24": "council", "msoa21": "msoa21_name"}
        else:
            path = first_present(self.data_dir, (LOOKUP_LSOA11_LTLA19,))
            frame = read_csv(path)
            frame = frame[frame["lsoa11_code"].str.startswith("E01")].reset_index(drop=True)
            wards = geography.read_lookup(first_present(self.data_dir, (LOOKUP_LSOA11_WARD17,)), "lsoa11", "ward17")
            region19 = read_csv(first_present(self.data_dir, (LOOKUP_LTLA19_REGION19,)))
            region_of = dict(zip(region19["ltla19_code"], region19["region19_code"], strict=True))
            frame["region"] = frame["ltla19_code"].map(region_of).map(self._region_names()).fillna("")
            frame["ward17"] = frame["lsoa11_code"].map(wards).fillna("")
            ward_names = {}
            if self.cni is not None or (self.data_dir / CNI2019).is_file():
                cni = read_csv(self._cni(CNI2019))
                ward_names = dict(zip(cni["ward17_code"], cni["ward17_name"], strict=True))
            frame["ward17_name"] = frame["ward17"].map(lambda c: ward_names.get(c, c))
            people = geography.read_population(first_present(self.data_dir, (POPULATION_LSOA11,)))
            frame = frame.rename(
                columns={"lsoa11_code": "code", "lsoa11_name": "name", "ltla19_name": "council", "ltla19_code": "lad19"}
            )
            names = {"ward17": "ward17_name", "lad19": "council"}
        frame["population"] = frame["code"].map(people).fillna(0.0)
        return frame, names

    def parents(self, geography_key: str) -> dict[str, str]:
        from commonground.engine.selection import GEOGRAPHIES

        frame, _ = self._lsoa_frame(GEOGRAPHIES[geography_key][0])
        return dict(zip(frame["code"], frame[geography_key].fillna(""), strict=True))

    def areas(self, geography_key: str) -> pd.DataFrame:
        from commonground.engine.selection import AREA_COLUMNS, GEOGRAPHIES, majority

        vintage = GEOGRAPHIES[geography_key][0]
        frame, names = self._lsoa_frame(vintage)
        if geography_key == vintage:
            return frame[AREA_COLUMNS].copy()
        frame = frame[frame[geography_key].fillna("") != ""]
        grouped = frame.groupby(geography_key)
        areas = pd.DataFrame({"name": grouped[names[geography_key]].first(),
                              "council": majority(frame, geography_key, "council"),
                              "region": majority(frame, geography_key, "region"),
                              "population": grouped["population"].sum()})  # fmt: skip
        return areas.rename_axis("code").reset_index()[AREA_COLUMNS]
