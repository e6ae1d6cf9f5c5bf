"""Load the bundled Demo Borough into the database, replacing any earlier demo load."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
from django.db import transaction

from commonground.audit.service import record
from commonground.demo.generate import DATA_DIR
from commonground.engine import geography, left_behind, population
from commonground.engine.indices import (
    IMD2019_WEIGHTS,
    imd_from_domain_ranks,
    normal_scores,
    ranks_most_deprived_first,
    tied_ranks_most_deprived_first,
)
from commonground.places.importers import (
    RANK_UNIT,
    Importer,
    MeasureSpec,
    load_postcodes,
    write_index_values,
    write_population_bands,
)
from commonground.places.models import Area, AreaType, AreaValue, DataSet, Measure

DEMO_DATASET = "demo-indicators"
DEMO_IMD = "demo-imd"
DEMO_CNI = "demo-cni"
DEMO_POPULATION = "demo-population"
DEMO_DATE = dt.date(2026, 11, 24)
DEMO_LEFT_BEHIND_SHARE = 0.25
AREA_TYPES = {
    "lsoa": ("lsoa-demo", "LSOA (demo)"),
    "ward": ("ward-demo", "Ward (demo)"),
    "local_authority": ("lad-demo", "Local authority (demo)"),
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _demo_indices(directory: Path, types: dict[str, AreaType], by_code: dict[str, Area]) -> int:
    """Demo IMD and community-need figures computed by the same engine as the national ones.

    Ranks are within Demo Borough's 60 LSOAs and 12 wards; deciles would be local, not national, so
    none are written.
    """
    rows = _rows(directory / "indicators.csv")
    lsoa_codes = np.array([r["lsoa_code"] for r in rows], dtype=object)
    scores = np.array([[float(r[d]) for d in IMD2019_WEIGHTS] for r in rows])
    ranks = np.column_stack([tied_ranks_most_deprived_first(scores[:, j]) for j in range(scores.shape[1])])
    imd = imd_from_domain_ranks(ranks)
    population = np.array([by_code[c].population for c in lsoa_codes], dtype=float)
    lsoas = geography.LsoaTable(lsoa_codes, imd.score, imd.rank, population)
    ward_of = np.array([by_code[c].parent.code for c in lsoa_codes], dtype=object)
    la_of = np.array([by_code[c].parent.parent.code for c in lsoa_codes], dtype=object)
    helper = Importer(directory)
    imd_set = DataSet.objects.create(
        slug=DEMO_IMD, name="Demo Borough deprivation (IMD method)", source="Computed from the demo indicators",
        licence="CC0 1.0", release_date=DEMO_DATE, is_demo=True,
        description="The IoD 2019 method applied to invented domain scores; ranks are within Demo Borough.",
    )  # fmt: skip
    written = write_index_values(helper, imd_set, types["lsoa"], lsoas, ranks,
                                 {types["ward"]: ward_of, types["local_authority"]: la_of},
                                 national_deciles=False)  # fmt: skip
    # Community need: civic assets (fewer is more need), connectedness (longer trips), engagement.
    need = {
        "civic_assets_score": -np.array([float(r["community_spaces_per_1000"]) for r in rows]),
        "connectedness_score": np.array([float(r["travel_time_gp"]) for r in rows]),
        "engaged_community_score": -np.array([float(r["charities_per_1000"]) + float(r["turnout"]) / 10 for r in rows]),
    }
    ward_scores = {
        slug: geography.aggregate(geography.LsoaTable(lsoa_codes, v, imd.rank, population), ward_of).set_index("code")
        for slug, v in need.items()
    }
    ward_codes = ward_scores["civic_assets_score"].index.to_numpy()
    cni_score = sum(normal_scores(ward_scores[s]["score"].to_numpy()) for s in need)
    cni_rank = ranks_most_deprived_first(cni_score)
    cni_set = DataSet.objects.create(
        slug=DEMO_CNI, name="Demo Borough community need", source="Computed from the demo indicators",
        licence="CC0 1.0", release_date=DEMO_DATE, is_demo=True,
        description="Shaped like the Community Needs Index: civic assets, connectedness, engaged community.",
    )  # fmt: skip
    ward_ids = helper.area_ids(types["ward"])
    more = Measure.Direction.HIGHER_MORE_NEED
    for order, (slug, label) in enumerate(
        [("civic_assets_score", "Civic assets (need)"), ("connectedness_score", "Connectedness (need)"),
         ("engaged_community_score", "Engaged community (need)")]
    ):  # fmt: skip
        written += helper.write_values(cni_set, MeasureSpec(slug, label, "score", more), order, ward_ids, ward_codes,
                                       ward_scores[slug]["score"].to_numpy())  # fmt: skip
    written += helper.write_values(cni_set, MeasureSpec("cni_score", "Community need score", "score", more), 3,
                                   ward_ids, ward_codes, cni_score)  # fmt: skip
    written += helper.write_values(cni_set, MeasureSpec("cni_rank", "Community need rank", RANK_UNIT,
                                                        Measure.Direction.HIGHER_LESS_NEED), 4, ward_ids, ward_codes,
                                   cni_rank)  # fmt: skip
    wards = geography.aggregate(lsoas, ward_of)
    table = left_behind.CniTable(ward_codes, ward_codes, ward_codes, cni_score, cni_rank, None)
    found = left_behind.left_behind(wards, table, share=DEMO_LEFT_BEHIND_SHARE)
    flags = np.isin(ward_codes, found["code"].to_numpy()).astype(float)
    written += helper.write_values(
        cni_set,
        MeasureSpec("left_behind", "Left behind (demo: top quarter on both)", "yes = 1",
                    description="With 12 wards, 10% would be one ward at most; the demo uses 25%."),
        5, ward_ids, ward_codes, flags,
    )  # fmt: skip
    return written


def is_loaded() -> bool:
    return Area.objects.filter(is_demo=True).exists()


@transaction.atomic
def load(directory: Path = DATA_DIR, actor: object = "commonground init-demo") -> dict[str, int]:
    """Replace the demo areas, dataset and values in one transaction; returns counts."""
    Area.objects.filter(is_demo=True).delete()
    DataSet.objects.filter(is_demo=True).delete()
    types = {
        level: AreaType.objects.update_or_create(
            code=code, defaults={"level": level, "name": name, "is_current": True, "population_note": "invented"}
        )[0]
        for level, (code, name) in AREA_TYPES.items()
    }
    by_code: dict[str, Area] = {}
    for row in _rows(directory / "areas.csv"):
        area = Area.objects.create(
            area_type=types[row["level"]],
            code=row["code"],
            name=row["name"],
            parent=by_code.get(row["parent_code"]),
            population=int(row["population"]),
            is_demo=True,
        )
        by_code[area.code] = area
    dataset = DataSet.objects.create(
        slug=DEMO_DATASET,
        name="Demo Borough indicators",
        source="Generated by commonground.demo.generate (seeded); not real data",
        licence="CC0 1.0",
        release_date=DEMO_DATE,
        description="Invented figures shaped like the IMD 2019 domains and open community-need proxies.",
        is_demo=True,
    )
    measures = {
        row["slug"]: Measure.objects.create(
            dataset=dataset,
            slug=row["slug"],
            name=row["name"],
            unit=row["unit"],
            direction=row["direction"],
            description=row["description"],
            order=order,
        )
        for order, row in enumerate(_rows(directory / "measures.csv"))
    }
    values = [
        AreaValue(area=by_code[row["lsoa_code"]], measure=measures[slug], value=float(row[slug]))
        for row in _rows(directory / "indicators.csv")
        for slug in measures
    ]
    AreaValue.objects.bulk_create(values, batch_size=2000)
    shapes = [by_code[row["code"]] for row in _rows(directory / "boundaries.csv")]
    for area, row in zip(shapes, _rows(directory / "boundaries.csv"), strict=True):
        area.geometry = row["geometry"]
    Area.objects.bulk_update(shapes, ["geometry"])
    counts = {"areas": len(by_code), "measures": len(measures), "values": len(values)}
    counts["index_values"] = _demo_indices(directory, types, by_code)
    people = DataSet.objects.create(
        slug=DEMO_POPULATION, name="Demo Borough population by age and sex",
        source="Generated by commonground.demo.generate (seeded); not real data", licence="CC0 1.0",
        release_date=DEMO_DATE, is_demo=True, description="Invented counts that add up to each LSOA's population.",
    )  # fmt: skip
    bands = population.read_bands(directory / "population.csv")
    counts["population_values"] = write_population_bands(Importer(directory), people, types["lsoa"], bands)
    counts["postcodes"] = load_postcodes(directory / "postcodes.csv", actor, demo=True)["postcodes_lsoa11"]
    record(actor, "places.load_demo", dataset, after=counts)
    return counts
