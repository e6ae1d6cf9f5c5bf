"""Generate the bundled demo dataset: Demo Borough, a fictional local authority.

Seeded, so the committed CSVs can be rebuilt byte for byte: `python -m commonground.demo.generate`.
Codes start with "X", a letter no real GSS code uses (GSS codes start with E, W, S, N, K, L or M),
so demo areas can never clash with national data.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

SEED = 20261124
DATA_DIR = Path(__file__).resolve().parent / "data"
AUTHORITY = ("X09000001", "Demo Borough")
WARD_NAMES = [
    "Ashby Park", "Brookfield", "Canal Side", "Dockside", "Eastfield", "Furnace Hill",
    "Gorse Lane", "Harbour", "Ironworks", "Jubilee", "Kingsmead", "Larkrise",
]  # fmt: skip
LSOAS_PER_WARD = 5
# Invented postcodes: no UK postcode area starts with X (as no GSS code does), so "XX" outward
# codes can never be a real address. One district per ward (XX1 to XX12), one sector per LSOA.
DEMO_POSTCODE_AREA = "XX"
POSTCODES_PER_LSOA = 8
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code

# slug, name, unit, direction, description. The first seven mirror the IMD 2019 domains
# (IoD 2019 Technical Report, section 3); the rest are community-need proxies.
MEASURES = [
    ("income", "Income deprivation", "proportion", "higher_more_need",
     "Share of people on low incomes (IMD Income domain rate)."),
    ("employment", "Employment deprivation", "proportion", "higher_more_need",
     "Share of working-age people involuntarily out of work (IMD Employment domain rate)."),
    ("education", "Education, skills and training deprivation", "score", "higher_more_need",
     "IMD Education, Skills and Training domain score."),
    ("health", "Health deprivation and disability", "score", "higher_more_need",
     "IMD Health Deprivation and Disability domain score (standardised, mean near 0)."),
    ("crime", "Crime", "score", "higher_more_need", "IMD Crime domain score (standardised, mean near 0)."),
    ("barriers", "Barriers to housing and services", "score", "higher_more_need",
     "IMD Barriers to Housing and Services domain score."),
    ("living_environment", "Living environment deprivation", "score", "higher_more_need",
     "IMD Living Environment domain score."),
    ("community_spaces_per_1000", "Community spaces per 1,000 residents", "per 1,000", "higher_less_need",
     "Halls, community centres and libraries within the area (civic assets proxy)."),
    ("charities_per_1000", "Local charities per 1,000 residents", "per 1,000", "higher_less_need",
     "Registered charities with an address in the area (active and engaged community proxy)."),
    ("turnout", "Local election turnout", "percent", "higher_less_need",
     "Turnout at the last borough election (active and engaged community proxy)."),
    ("travel_time_gp", "Travel time to a GP by public transport", "minutes", "higher_more_need",
     "Average minutes (connectedness proxy)."),
]  # fmt: skip


def generate(seed: int = SEED) -> dict[str, list[list]]:
    """Return the demo tables as rows; pure and deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    people_rng = np.random.default_rng(seed + 1)  # its own stream, so adding it left the other tables unchanged
    areas: list[list] = [["code", "name", "level", "parent_code", "population"]]
    values: list[list] = [["lsoa_code"] + [m[0] for m in MEASURES]]
    people: list[list] = [["lsoa_code", "pop_total", "pop_0_15", "pop_16_64", "pop_65_plus", "pop_female", "pop_male"]]
    ward_rows, lsoa_rows = [], []
    ward_need = np.linspace(-1.6, 1.6, len(WARD_NAMES))
    rng.shuffle(ward_need)
    lsoa_index = 0
    for w, (ward_name, need) in enumerate(zip(WARD_NAMES, ward_need, strict=True), start=1):
        ward_code = f"X05{w:06d}"
        ward_pop = 0
        civic = -need * 0.6 + rng.normal(0, 0.8)  # civic infrastructure loosely tracks affluence
        for _ in range(LSOAS_PER_WARD):
            lsoa_index += 1
            code = f"X01{lsoa_index:06d}"
            population = int(rng.integers(1250, 2300))
            ward_pop += population
            d = need + rng.normal(0, 0.45)
            c = civic + rng.normal(0, 0.35)
            row = [
                code,
                round(float(np.clip(0.13 + 0.07 * d + rng.normal(0, 0.015), 0.01, 0.6)), 3),
                round(float(np.clip(0.10 + 0.05 * d + rng.normal(0, 0.012), 0.01, 0.5)), 3),
                round(float(np.clip(22 + 16 * d + rng.normal(0, 4), 0.1, 99)), 3),
                round(float(0.55 * d + rng.normal(0, 0.25)), 3),
                round(float(0.5 * d + rng.normal(0, 0.35)), 3),
                round(float(np.clip(21 + 4 * d + rng.normal(0, 5), 1, 70)), 3),
                round(float(np.clip(20 + 9 * d + rng.normal(0, 6), 1, 90)), 3),
                round(float(np.clip(1.2 + 0.7 * c + rng.normal(0, 0.2), 0, 5)), 2),
                round(float(np.clip(2.5 + 1.2 * c + rng.normal(0, 0.4), 0, 9)), 2),
                round(float(np.clip(33 + 6 * c + rng.normal(0, 2), 12, 60)), 1),
                round(float(np.clip(14 - 3 * c + rng.normal(0, 2), 3, 45)), 1),
            ]
            values.append(row)
            people.append([code, population, *_bands(people_rng, population, need)])
            lsoa_rows.append(
                [code, f"Demo Borough {lsoa_index:03d}{'ABCDE'[(lsoa_index - 1) % 5]}", "lsoa", ward_code, population]
            )
        ward_rows.append([ward_code, ward_name, "ward", AUTHORITY[0], ward_pop])
    total = sum(r[4] for r in ward_rows)
    areas.append([AUTHORITY[0], AUTHORITY[1], "local_authority", "", total])
    areas.extend(ward_rows)
    areas.extend(lsoa_rows)
    measures = [["slug", "name", "unit", "direction", "description"]] + [list(m) for m in MEASURES]
    return {"areas.csv": areas, "indicators.csv": values, "measures.csv": measures, "boundaries.csv": boundaries(),
            "population.csv": people, "postcodes.csv": postcodes(seed)}  # fmt: skip


def _bands(rng: np.random.Generator, population: int, need: float) -> list[int]:
    """Age bands and sexes that add up to the LSOA's population: more children where need is
    higher, more older people where it is lower (the broad pattern of English small areas)."""
    young = float(np.clip(0.19 + 0.025 * need + rng.normal(0, 0.015), 0.1, 0.3))
    old = float(np.clip(0.18 - 0.03 * need + rng.normal(0, 0.02), 0.06, 0.32))
    aged_0_15, aged_65_plus = round(population * young), round(population * old)
    female = round(population * float(np.clip(rng.normal(0.508, 0.008), 0.47, 0.54)))
    return [aged_0_15, population - aged_0_15 - aged_65_plus, aged_65_plus, female, population - female]


def postcodes(seed: int = SEED) -> list[list]:
    """Demo Borough's postcode directory, laid out like the ONS Postcode Directory (pcds, doterm,
    lsoa11): live postcodes for every LSOA and a terminated one in every third LSOA."""
    rng = np.random.default_rng(seed + 2)  # its own stream, like the population bands
    units = [a + b for a in INWARD_LETTERS for b in INWARD_LETTERS]
    rows: list[list] = [["pcds", "doterm", "lsoa11"]]
    for w in range(len(WARD_NAMES)):
        for s in range(LSOAS_PER_WARD):
            lsoa = f"X01{w * LSOAS_PER_WARD + s + 1:06d}"
            picked = rng.choice(len(units), POSTCODES_PER_LSOA + 1, replace=False)
            for n, unit in enumerate(sorted(units[i] for i in picked)):
                terminated = n == POSTCODES_PER_LSOA and (w * LSOAS_PER_WARD + s) % 3 == 0
                if n < POSTCODES_PER_LSOA or terminated:
                    rows.append([f"{DEMO_POSTCODE_AREA}{w + 1} {s + 1}{unit}", "201904" if terminated else "", lsoa])
    return rows


def boundaries() -> list[list]:
    """Made-up square LSOA shapes: wards on a 4 × 3 grid, each split into 5 strips.

    Placed in the North Sea (about 2.5°E 54.5°N) so they can never be mistaken for a real place.
    """
    rows: list[list] = [["code", "geometry"]]
    west, north, size = 2.3, 54.7, 0.1
    for w in range(len(WARD_NAMES)):
        x0, y1 = west + (w % 4) * size, north - (w // 4) * size
        for s in range(LSOAS_PER_WARD):
            left, right = x0 + s * size / LSOAS_PER_WARD, x0 + (s + 1) * size / LSOAS_PER_WARD
            ring = [[left, y1], [right, y1], [right, y1 - size], [left, y1 - size], [left, y1]]
            ring = [[round(x, 5), round(y, 5)] for x, y in ring]
            geometry = {"type": "Polygon", "coordinates": [ring]}
            rows.append([f"X01{w * LSOAS_PER_WARD + s + 1:06d}", json.dumps(geometry, separators=(",", ":"))])
    return rows


def write(directory: Path = DATA_DIR, seed: int = SEED) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in generate(seed).items():
        path = directory / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")
