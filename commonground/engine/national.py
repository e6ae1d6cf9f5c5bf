"""England-wide pipelines over a directory laid out like the official publications (and ../shared/data).

Relative file names are the contract with `commonground data load --from DIR`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine import geography, imd_files
from commonground.engine.indices import deciles, imd_from_domain_ranks, imd_from_domain_scores
from commonground.engine.tables import DataError

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
