"""Small files of the right shape that the tests make themselves, so a fresh clone needs nothing beside it.

Each generator is seeded and writes the same bytes every time. Checks against outside truth (real
elections, the national data pack, published outputs) read ../shared instead and are marked `reference`.
"""

from __future__ import annotations

import csv
import random
import tempfile
from functools import cache
from pathlib import Path

# The practitioners' layout (sortition-algorithms, Sortition Foundation): feature,value,min,max,min_flex,max_flex.
PRACTITIONER_QUOTAS = {
    "Gender": {"Female": (11, 12), "Male": (10, 11), "Non-binary or other": (0, 1)},
    "age_bracket": {"0-15": (0, 0), "16-29": (4, 7), "30-44": (4, 7), "45-59": (4, 6), "60+": (4, 6)},
    "edu_level": {"No qualifications": (4, 7), "Level 1": (4, 7), "Level 2 or 3": (4, 6), "Level 4 and above": (4, 6)},
    "geo_bucket": {
        "North East": (2, 5),
        "North West": (1, 5),
        "Yorkshire": (1, 5),
        "Midlands": (1, 5),
        "East": (1, 5),
        "London": (1, 5),
        "South East": (1, 5),
        "South West": (1, 5),
    },
}
# One panel of 22 that meets every quota: the generator builds its first members from it, so the pool is feasible.
_REFERENCE_PANEL = {
    "Gender": {"Female": 11, "Male": 11},
    "age_bracket": {"16-29": 6, "30-44": 6, "45-59": 5, "60+": 5},
    "edu_level": {"No qualifications": 6, "Level 1": 6, "Level 2 or 3": 5, "Level 4 and above": 5},
    "geo_bucket": {
        "North East": 2,
        "North West": 3,
        "Yorkshire": 3,
        "Midlands": 3,
        "East": 2,
        "London": 3,
        "South East": 3,
        "South West": 3,
    },  # fmt: skip
}
RARE_REGION = "North East"
PRACTITIONER_COLUMNS = [
    "nationbuilder_id", "first_name", "last_name", "email", "mobile_number", "primary_address1",
    "primary_address2", "primary_city", "primary_zip", "Gender", "age_bracket", "geo_bucket", "edu_level",
]  # fmt: skip


@cache
def _root() -> Path:
    return Path(tempfile.mkdtemp(prefix="commonground-test-material-"))


def practitioner_quotas_csv() -> str:
    rows = ["feature,value,min,max,min_flex,max_flex"]
    for feature, values in PRACTITIONER_QUOTAS.items():
        rows += [f"{feature},{value},{low},{high},0,{high}" for value, (low, high) in values.items()]
    return "\n".join(rows) + "\n"


def practitioner_pool_csv(n: int = 150, seed: int = 22) -> str:
    """A volunteer pool of `n` people, ids p0…p{n-1}, one household each. A panel of 22 within the quotas
    exists by construction; the rest of the pool follows that panel's mix, except that only the panel's
    two people live in the North East, so every panel needs both and neither can be replaced."""
    rng = random.Random(seed)
    people: list[dict[str, str]] = [{} for _ in range(n)]
    for feature, counts in _REFERENCE_PANEL.items():
        panel_values = [value for value, count in counts.items() for _ in range(count)]
        rng.shuffle(panel_values)
        others = [value for value in panel_values if value != RARE_REGION]
        for i, person in enumerate(people):
            person[feature] = panel_values[i] if i < len(panel_values) else rng.choice(others)
    rng.shuffle(people)
    lines = [",".join(PRACTITIONER_COLUMNS)]
    for i, person in enumerate(people):
        lines.append(
            f"p{i},first_name{i},last_name{i},email{i}@example.org,0770090{i:04d},{i} Test Street,Flat {i},Testville,"
            f"TE{i % 9 + 1} {i % 10}AA,{person['Gender']},{person['age_bracket']},{person['geo_bucket']},"
            f"{person['edu_level']}"
        )
    return "\n".join(lines) + "\n"


@cache
def practitioner_pool() -> Path:
    """A directory holding features.csv and candidates.csv in the practitioners' layout (22 to select from 150)."""
    directory = _root() / "practitioner"
    directory.mkdir()
    (directory / "features.csv").write_text(practitioner_quotas_csv())
    (directory / "candidates.csv").write_text(practitioner_pool_csv())
    return directory


@cache
def replication_pool(n: int = 200, seed: int = 20) -> Path:
    """categories.csv and respondents.csv in the layout of the Nature 2021 replication examples (20 from 200):
    100 women and 100 men, each leaning liberal or conservative; every quota 9 to 20."""
    rng = random.Random(seed)
    directory = _root() / "replication"
    directory.mkdir()
    with (directory / "categories.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["category", "feature", "min", "max"])
        for category, features in (("gender", ("female", "male")), ("leaning", ("liberal", "conservative"))):
            writer.writerows([category, feature, 9, 20] for feature in features)
    genders = ["female"] * (n // 2) + ["male"] * (n - n // 2)
    rng.shuffle(genders)
    with (directory / "respondents.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["gender", "leaning"])
        writer.writerows([gender, rng.choice(("liberal", "conservative"))] for gender in genders)
    return directory


@cache
def practitioner_least_chance() -> float:
    """The least selection chance the engine's leximin gives on the practitioner pool (22 seats): what the
    web app and the worker must publish for the same files."""
    from commonground.engine.sortition import model
    from commonground.engine.sortition.leximin import select

    directory = practitioner_pool()
    quotas = model.read_quotas(directory / "features.csv")
    pool = model.read_pool(directory / "candidates.csv", quotas)
    return float(select(pool, quotas, 22, "leximin").probabilities.min())


# A mini national data pack: the pack's layout and column names, invented figures -----------------------

# Three districts in two regions. Hartlepool's 2017 wards are unchanged in 2024 (same codes); Blackpool's
# were redrawn in 2023 (new codes); Allerdale was abolished in 2023 and lies in Cumberland, a district code
# new since ONS's 2021 district→region lookup, so its region must be derived from its LSOAs.
MINI_REGIONS = {"E12000001": "North East", "E12000002": "North West"}
MINI_DISTRICTS = [  # 2019 code, 2019 name, region, 2024 code, 2024 name, wards (2017 and 2024 codes)
    ("E06000001", "Hartlepool", "E12000001", "E06000001", "Hartlepool",
     [("E05008942", "E05008942", "Burn Valley"), ("E05008943", "E05008943", "De Bruce"),
      ("E05008944", "E05008944", "Foggy Furze"), ("E05008945", "E05008945", "Headland and Harbour")]),
    ("E06000009", "Blackpool", "E12000002", "E06000009", "Blackpool",
     [("E05001645", "E05015001", "Bloomfield"), ("E05001646", "E05015002", "Claremont"),
      ("E05001647", "E05015003", "Talbot"), ("E05001648", "E05015004", "Park")]),
    ("E07000026", "Allerdale", "E12000002", "E06000063", "Cumberland",
     [("E05009001", "E05013001", "Moss Bay"), ("E05009002", "E05013002", "Seaton"),
      ("E05009003", "E05013003", "Harrington"), ("E05009004", "E05013004", "St Michael's")]),
]  # fmt: skip
MINI_LSOAS_PER_WARD = 5
MINI_DOMAINS = ("Income", "Employment", "Education", "Health", "Crime", "Barriers", "Environment")
MINI_RANK_HEADERS_2019 = ("Income_rank", "Employment_rank", "Education_rank", "Health_rank", "Crime_rank",
                          "Housing_and_Access_rank", "Environment_rank")  # fmt: skip
MINI_RANK_HEADERS_2025 = ("Income_rank", "Employment_rank", "Education_rank", "Health_rank", "Crime_rank",
                          "Housing_and_Services_rank", "Environment_rank")  # fmt: skip


def _write(path: Path, header: list[str], rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _square(x: float, y: float, size: float) -> dict:
    ring = [[round(x, 5), round(y, 5)], [round(x + size, 5), round(y, 5)], [round(x + size, 5), round(y + size, 5)],
            [round(x, 5), round(y + size, 5)], [round(x, 5), round(y, 5)]]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


def _geojson(path: Path, features: list[tuple[dict, dict]]) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection",
                  "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]}  # fmt: skip
    path.write_text(json.dumps(collection), encoding="utf-8")


def _ranks(rng: random.Random, need: list[float]) -> list[int]:
    """Ranks 1 = most deprived of a noisy copy of `need` (higher need, lower rank)."""
    noisy = [(-(v + rng.gauss(0, 0.6)), i) for i, v in enumerate(need)]
    ranks = [0] * len(need)
    for rank, (_, i) in enumerate(sorted(noisy), start=1):
        ranks[i] = rank
    return ranks


@cache
def mini_national_pack(seed: int = 2025) -> Path:
    """A directory laid out like ../shared/data for three districts (the files `data load` and `places
    select` read), with seeded, invented figures: 60 LSOAs (2011), of which one is split in two and two
    are merged into one in 2021 (60 LSOAs (2021)), 12 MSOAs (one per ward), 12 wards of each vintage.
    Blackpool is the most deprived and Bloomfield its most deprived ward. No 2021-LSOA population file
    (populations are carried over from 2011)."""
    rng = random.Random(seed)
    root = _root() / "mini-pack"
    lsoa11, lsoa21, pairs, wards24, features11, ltla_shapes, ward22_shapes = [], [], [], [], [], [], []
    need: dict[str, float] = {}
    serial = 0
    for d, (lad19, name19, _region, lad24, name24, wards) in enumerate(MINI_DISTRICTS):
        ltla_shapes.append(({"ltla19_name": name19, "ltla19_code": lad19}, _square(-2.0 + d * 0.3, 54.0, 0.3)))
        # (each district is a 0.3° square: four rows of wards, each a row of five LSOAs)
        for w, (ward17, ward24, ward_name) in enumerate(wards):
            x0, y0 = -2.0 + d * 0.3, 54.0 + w * 0.075
            if lad19 == "E06000001":
                ward22_shapes.append(({"ward22_name": ward_name, "ward22_code": ward24}, _square(x0, y0, 0.075)))
            wards24.append((ward24, ward_name, lad24, name24))
            for k in range(MINI_LSOAS_PER_WARD):
                serial += 1
                code = f"E0100{serial:04d}"
                lsoa_name = f"{name19} {d * 4 + w + 1:03d}{'ABCDE'[k]}"
                msoa = (f"E0200{d * 4 + w + 1:04d}", f"{name24} {d * 4 + w + 1:03d}")
                base = {"E06000009": 2.0, "E06000001": 1.0}.get(lad19, 0.0) + (1.5 if ward_name == "Bloomfield" else 0)
                need[code] = base + rng.random()
                lsoa11.append((code, lsoa_name, lad19, name19, ward17, ward24, lad24, name24, msoa))
                features11.append(({"lsoa11_name": lsoa_name, "lsoa11_code": code},
                                   _square(x0 + k * 0.06, y0, 0.06)))  # fmt: skip
    # 2021: the first Blackpool LSOA is split in two (new codes); two Cumberland LSOAs are merged.
    split, merged = lsoa11[20][0], (lsoa11[42][0], lsoa11[43][0])
    for code, lsoa_name, _lad19, _n19, _w17, ward24, lad24, name24, msoa in lsoa11:
        if code == split:
            for letter, new in (("G", "E01035001"), ("H", "E01035002")):
                lsoa21.append((new, lsoa_name[:-1] + letter, ward24, lad24, name24, msoa))
                pairs.append((lsoa_name, code, "S", lsoa_name[:-1] + letter, new, name24, lad24))
                need[new] = need[code]
        elif code in merged:
            pairs.append((lsoa_name, code, "M", f"{msoa[1]}G", "E01035003", name24, lad24))
            if code == merged[0]:
                lsoa21.append(("E01035003", f"{msoa[1]}G", ward24, lad24, name24, msoa))
                need["E01035003"] = need[code]
        else:
            lsoa21.append((code, lsoa_name, ward24, lad24, name24, msoa))
            pairs.append((lsoa_name, code, "U", lsoa_name, code, name24, lad24))

    _write(
        root / "lookups/lookup_lsoa11_ltla19.csv",
        ["lsoa11_code", "lsoa11_name", "ltla19_code", "ltla19_name"],
        [(r[0], r[1], r[2], r[3]) for r in lsoa11],
    )
    _write(root / "lookups/lookup_lsoa11_ward17.csv", ["lsoa11_code", "ward17_code"], [(r[0], r[4]) for r in lsoa11])
    _write(
        root / "lookups/lookup_ltla19_region19.csv",
        ["ltla19_code", "ltla19_name", "region19_code", "region19_name"],
        [(d[0], d[1], d[2], MINI_REGIONS[d[2]]) for d in MINI_DISTRICTS],
    )
    _write(
        root / "lookups/lookup_ltla21_region21.csv",
        ["ltla21_name", "ltla21_code", "region21_name", "region21_code"],
        [(d[1], d[0], MINI_REGIONS[d[2]], d[2]) for d in MINI_DISTRICTS],
    )  # 2021: Allerdale, not Cumberland
    ward_names = {w[0]: w[1] for w in wards24}
    _write(
        root / "lookups/lookup_lsoa21_ward24_ltla24.csv",
        ["lsoa21_name", "lsoa21_code", "ward24_name", "ward24_code", "ltla24_name", "ltla24_code"],
        [(r[1], r[0], ward_names[r[2]], r[2], r[4], r[3]) for r in lsoa21],
    )
    _write(
        root / "lookups/lookup_lsoa11_lsoa21_ltla22.csv",
        ["lsoa11_name", "lsoa11_code", "change_code", "lsoa21_name", "lsoa21_code", "ltla22_name", "ltla22_code"],
        pairs,
    )
    _write(
        root / "lookups/lookup_lsoa21_msoa21.csv",
        ["lsoa21_code", "lsoa21_name", "msoa21_code", "msoa21_name"],
        [(r[0], r[1], r[5][0], r[5][1]) for r in lsoa21],
    )
    population = {r[0]: 1200 + rng.randrange(600) for r in lsoa11}
    bands = []
    for code, total in population.items():
        young, old = total * 20 // 100, total * 18 // 100
        female = total // 2 + rng.randrange(20)
        bands.append((code, "", "", "", total, young, total - young - old, old, female, total - female))
    _write(
        root / "population/lsoa11_population_mid2019_EW.csv",
        [
            "lsoa11_code",
            "lsoa11_name",
            "lad19_code",
            "lad19_name",
            "pop_total_mid2019",
            "pop_0_15",
            "pop_16_64",
            "pop_65_plus",
            "pop_female",
            "pop_male",
        ],
        bands,
    )
    _write(
        root / "imd2019/File_6_-_IoD2019_Population_Denominators.csv",
        ["LSOA code (2011)", "Total population: mid 2015 (excluding prisoners)"],
        [(code, total - 50) for code, total in population.items()],
    )
    codes11 = [r[0] for r in lsoa11]
    columns = [_ranks(rng, [need[c] for c in codes11]) for _ in MINI_DOMAINS]
    _write(
        root / "imd2019/imd2019_england_lsoa11.csv",
        ["lsoa11_code", *MINI_RANK_HEADERS_2019],
        [(c, *(col[i] for col in columns)) for i, c in enumerate(codes11)],
    )
    codes21 = [r[0] for r in lsoa21]
    columns = [_ranks(rng, [need[c] for c in codes21]) for _ in MINI_DOMAINS]
    _write(
        root / "imd2025/imd2025_england_lsoa21.csv",
        ["lsoa21_code", *MINI_RANK_HEADERS_2025],
        [(c, *(col[i] for col in columns)) for i, c in enumerate(codes21)],
    )
    indicators = [(c, round(80 - 10 * need[c] + rng.random(), 3), round(need[c] / 2 + rng.gauss(0, 0.3), 3),
                   round(0.1 + need[c] / 20, 3), round(0.6 + need[c] / 20, 3)) for c in codes21]  # fmt: skip
    _write(
        root / "imd2025/imd2025_england_lsoa21_indicators.csv",
        [
            "lsoa21_code",
            "connectivity_score",
            "digital_connectivity_broadband_download_and_upload_speeds",
            "adult_skills_and_english_language_proficiency_indicator",
            "entry_to_higher_education_indicator",
        ],
        indicators,
    )
    cni = [need[c] + rng.gauss(0, 0.8) for c in codes21]
    cni_rank = _ranks(random.Random(seed + 1), cni)
    _write(
        root / "cni/cni2023_england_lsoa21.csv",
        [
            "lsoa21_code",
            "lsoa21_name",
            "Community Needs Index 2023 Score",
            "Community Needs Index 2023 Rank",
            "Civic Assets Domain Score",
            "Connectedness Domain Score",
            "Active and Engaged Community Domain Score",
            "Left Behind Area?",
        ],
        [
            (c, r[1], round(50 + 10 * v, 2), cni_rank[i], round(v, 2), round(v * 2, 2), round(v * 3, 2), "FALSE")
            for i, (c, v, r) in enumerate(zip(codes21, cni, lsoa21, strict=True))
        ],
    )
    wards17 = [(w[0], w[2], d[0], d[1]) for d in MINI_DISTRICTS for w in d[5]]
    ward_need = {w: sum(need[r[0]] for r in lsoa11 if r[4] == w) for w, *_ in wards17}
    ward_cni = _ranks(random.Random(seed + 2), [ward_need[w[0]] for w in wards17])
    _write(root / "cni/cni2019_england_ward17.csv",
           ["ward17_code", "ward17_name", "lad19_code", "lad19_name", "Civic Assets score", "Civic Assets rank",
            "Connectedness score", "Connectedness rank", "Engaged community score", "Engaged community rank",
            "Community Needs Index score", "Community Needs Index rank", "Left Behind Area?"],
           [(*w, 10, 1, 10, 1, 10, 1, round(100 - ward_cni[i], 2), ward_cni[i], "TRUE" if ward_cni[i] == 1 else "FALSE")
            for i, w in enumerate(wards17)])  # fmt: skip
    _geojson(root / "boundaries/boundaries_lsoa11.geojson", features11)
    _geojson(root / "boundaries/boundaries_ltla19.geojson", ltla_shapes)
    _geojson(root / "boundaries/boundaries_wards22.geojson", ward22_shapes)
    (root / "manifest.json").write_text("[]\n")
    return root
