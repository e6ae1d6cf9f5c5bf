"""Importers of the deprivation and need indices (IMD 2019 and 2025, CNI 2019 and 2023, the need proxy)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from commonground.engine import geography, imd_files, left_behind, national, selection
from commonground.engine.indices import IMD2019_DOMAIN_NAMES, IMD2019_WEIGHTS, deciles, exponential_transform
from commonground.engine.tables import find_column, numeric, read_csv
from commonground.places.geography_importers import Geography2021Importer
from commonground.places.importer_base import (
    OGL,
    THIRD_PARTY,
    Importer,
    MeasureSpec,
)
from commonground.places.models import Area, AreaType, DataSet, Measure

RANK_UNIT = "rank (1 = most deprived)"
MORE, LESS = Measure.Direction.HIGHER_MORE_NEED, Measure.Direction.HIGHER_LESS_NEED
# Summary measures for wards, districts and regions (IoD 2019 Technical Report, higher-level summaries).
SUMMARY_MEASURES = (
    (MeasureSpec("imd_score", "IMD score", "score", MORE, "LSOA scores averaged, weighted by population."), "score"),
    (MeasureSpec("imd_rank", "IMD rank", RANK_UNIT, LESS, "Among areas of the same type."), "rank"),
    (MeasureSpec("imd_decile", "IMD decile", "decile", LESS, "1 is the most deprived 10%."), "decile"),
    (MeasureSpec("imd_extent", "IMD extent", "proportion", MORE,
                 "Share of people in the most deprived 30% of LSOAs, on the IoD sliding weight."), "extent"),
    (MeasureSpec("imd_share_most_deprived", "People in the most deprived 10% of LSOAs", "proportion", MORE),
     "population_share_most_deprived_10pc"),
)  # fmt: skip
WEIGHT = MeasureSpec("population_weight", "Population weight", "people", description="The population its "
                     "figures above LSOA level are weighted by.")  # fmt: skip


def domain_score_measure(slug: str, label: str) -> MeasureSpec:
    """The 0–100 transformed domain score: comparable across domains and levels (IoD exponential transform)."""
    return MeasureSpec(
        f"{slug}_score",
        label,
        "0–100",
        MORE,
        f"Exponentially transformed domain rank (0 least, 100 most deprived), population-weighted above "
        f"LSOA level; weight in the IMD {IMD2019_WEIGHTS[slug]:.1%}.",
    )


class Imd2019Importer(Importer):
    """IMD 2019 recomputed from the domain ranks (the published method), with ward, district and
    region summaries computed here from LSOAs."""

    slug = "imd2019"
    name = "English Indices of Deprivation 2019"

    def available(self) -> bool:
        present = [self.path(p).is_file() for p in (*national.IMD2019_DOMAIN_FILES, *national.IMD2019_POPULATION_FILES)]
        domains, population = (
            present[: len(national.IMD2019_DOMAIN_FILES)],
            present[len(national.IMD2019_DOMAIN_FILES) :],
        )
        return any(domains) and any(population)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        lsoas = national.imd2019_lsoas(self.data_dir)
        domains = imd_files.read_domains(national.first_present(self.data_dir, national.IMD2019_DOMAIN_FILES))
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Ministry of Housing, Communities and Local Government",
            source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
            licence=OGL, release_date=dt.date(2019, 9, 26), family="IoD", edition=2019,
            description="IMD score recomputed from the seven domain ranks with the IoD 2019 method; ward, district "
                        "and region figures are population-weighted (mid-2015 IoD denominators).",
        )  # fmt: skip
        lookups = {
            "ward17": geography.read_lookup(self.path(national.LOOKUP_LSOA11_WARD17), "lsoa11", "ward17"),
            "lad19": geography.read_lookup(self.path(national.LOOKUP_LSOA11_LTLA19), "lsoa11", "ltla19"),
        }
        region_of = dict(Area.objects.filter(area_type=types["lad19"]).values_list("code", "parent__code"))
        lookups["rgn19"] = {lsoa: region_of.get(lad, "") or "" for lsoa, lad in lookups["lad19"].items()}
        parents_by_type = {types[code]: national.parents(lsoas, lookup) for code, lookup in lookups.items()}
        written = write_index_values(self, dataset, types["lsoa11"], lsoas, domains.values, parents_by_type)
        return {"values": written}


def write_index_values(importer: Importer, dataset: DataSet, lsoa_type: AreaType, lsoas: geography.LsoaTable,
                       domain_ranks: np.ndarray, parents_by_type: dict[AreaType, np.ndarray],
                       national_deciles: bool = True) -> int:  # fmt: skip
    """IMD score, rank, decile and the seven domains for LSOAs, the population weights, and the IoD
    summaries for each higher level; the same measure slugs at every level so pages read them one way.
    Deciles are written only when the ranks are national (`national_deciles`): never among demo areas."""
    written, order = 0, 0
    transformed = exponential_transform(domain_ranks, n=domain_ranks.shape[0])
    decile = MeasureSpec("imd_decile", "IMD decile", "decile", LESS, "1 is the most deprived 10%.")
    specs = [
        (MeasureSpec("imd_score", "IMD score", "score", MORE, "Higher is more deprived."), lsoas.score),
        (MeasureSpec("imd_rank", "IMD rank", RANK_UNIT, LESS, "Among areas of the same type."), lsoas.rank),
        (decile, deciles(lsoas.rank)),
        (WEIGHT, lsoas.population),
    ]
    for j, (slug, label) in enumerate(IMD2019_DOMAIN_NAMES.items()):
        ranks = domain_ranks[:, j]
        specs.append((domain_score_measure(slug, label), transformed[:, j]))
        specs.append((MeasureSpec(f"{slug}_rank", f"{label} rank", RANK_UNIT, LESS), ranks))
        specs.append((MeasureSpec(f"{slug}_decile", f"{label} decile", "decile", LESS), deciles(ranks)))
    summaries = [(spec, column) for spec, column in SUMMARY_MEASURES if national_deciles or column != "decile"]
    if not national_deciles:
        specs = [(spec, values) for spec, values in specs if not spec.slug.endswith("_decile")]
    steps = len(specs) + len(parents_by_type)
    lsoa_ids = importer.area_ids(lsoa_type)
    for n, (spec, values) in enumerate(specs):
        written += importer.write_values(dataset, spec, order, lsoa_ids, lsoas.codes, values)
        order += 1
        importer.progress(n + 1, steps)
    for n, (area_type, parent_of) in enumerate(parents_by_type.items()):
        summary = geography.aggregate(lsoas, parent_of)
        ids = importer.area_ids(area_type)
        for spec, column in summaries:
            written += importer.write_values(dataset, spec, order, ids, summary["code"], summary[column])
            order += 1
        for j, (slug, label) in enumerate(IMD2019_DOMAIN_NAMES.items()):
            domain = geography.LsoaTable(lsoas.codes, transformed[:, j], lsoas.rank, lsoas.population)
            averaged = geography.aggregate(domain, parent_of)
            written += importer.write_values(dataset, domain_score_measure(slug, label), order, ids,
                                             averaged["code"], averaged["score"])  # fmt: skip
            order += 1
        importer.progress(len(specs) + n + 1, steps)
    return written


class Cni2019Importer(Importer):
    """OCSI's Community Needs Index 2019 (licensed, third party) and the left-behind wards."""

    slug = "cni2019"
    name = "Community Needs Index 2019 (OCSI for Local Trust)"
    required = (national.CNI2019,)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        path = self.path(self.required[0])
        frame = read_csv(path)
        table = left_behind.read_cni(path)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="OCSI for Local Trust", licence=THIRD_PARTY,
            release_date=dt.date(2019, 10, 21), is_third_party=True, family="CNI", edition=2019,
            description="Civic Assets, Connectedness and Active and Engaged Community domains at 2017 wards; "
                        "higher scores mean more need. Licensed: shown here, not re-published in bulk.",
        )  # fmt: skip
        ids = self.area_ids(types["ward17"])
        more, less = Measure.Direction.HIGHER_MORE_NEED, Measure.Direction.HIGHER_LESS_NEED
        written = 0
        columns = [("cni_score", "Community Needs Index score", "score", more, "Community Needs Index score"),
                   ("cni_rank", "Community Needs Index rank", "rank of 7,433", less, "Community Needs Index rank"),
                   ("civic_assets_score", "Civic Assets score", "score", more, "Civic Assets score"),
                   ("connectedness_score", "Connectedness score", "score", more, "Connectedness score"),
                   ("engaged_community_score", "Active and Engaged Community score", "score", more,
                    "Engaged community score")]  # fmt: skip
        for order, (slug, name, unit, direction, column) in enumerate(columns):
            header = find_column(frame, path, [column], name)
            values = numeric(frame, path, header)
            written += self.write_values(dataset, MeasureSpec(slug, name, unit, direction), order, ids, table.codes,
                                         values)  # fmt: skip
            self.progress(order + 1, len(columns) + 2)
        if table.published_flag is not None:
            written += self.write_values(
                dataset, MeasureSpec("published_left_behind", "Left behind (OCSI's published list)", "yes = 1"),
                len(columns), ids, table.codes, table.published_flag.astype(float),
            )  # fmt: skip
        if Imd2019Importer(self.data_dir).available():
            wards = national.imd2019_wards17(self.data_dir)
            found = left_behind.left_behind(wards, table)
            flag = np.isin(table.codes, found["code"].to_numpy()).astype(float)
            written += self.write_values(
                dataset,
                MeasureSpec("left_behind", "Left behind (top 10% on both IMD and CNI)", "yes = 1",
                            description=f"Ward IMD rank and CNI rank both within the most deprived "
                                        f"{found.attrs['cut']} of {found.attrs['wards']:,} wards."),
                len(columns) + 1, ids, table.codes, flag,
            )  # fmt: skip
        self.progress(len(columns) + 2, len(columns) + 2)
        return {"values": written}


class Imd2025Importer(Importer):
    """IMD 2025 on 2021 LSOAs, recomputed from the domain ranks, with the IoD summaries for 2021 MSOAs,
    2024 wards and districts, and regions."""

    slug = "imd2025"
    name = "English Indices of Deprivation 2025"
    required = (national.IMD2025_LSOAS,)

    def available(self) -> bool:
        return super().available() and Geography2021Importer(self.data_dir).available()

    def run(self) -> dict[str, int]:
        types = self.area_types()
        people = national.lsoa21_population(self.data_dir)
        domains = imd_files.read_domains(self.path(national.IMD2025_LSOAS))
        lsoas = national.imd2025_lsoas(self.data_dir, people, domains)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Ministry of Housing, Communities and Local Government",
            source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
            licence=OGL, release_date=dt.date(2025, 10, 30), family="IoD", edition=2025,
            description="IMD 2025 recomputed from the seven domain ranks with the IoD method (2021 LSOAs); MSOA, "
                        f"ward, district and region figures are population-weighted ({people.note}).",
        )  # fmt: skip
        frame = national.lsoa21_areas(self.data_dir)
        region_of = national.lad24_regions(self.data_dir, frame)
        lookups = {"ward24": "ward24_code", "lad24": "ltla24_code", "msoa21": "msoa21_code"}
        parents_by_type = {types[code]: national.parents(lsoas, dict(zip(frame["lsoa21_code"], frame[column],
                                                                          strict=True)))
                           for code, column in lookups.items() if column in frame}  # fmt: skip
        lad_of = dict(zip(frame["lsoa21_code"], frame["ltla24_code"], strict=True))
        parents_by_type[types["rgn19"]] = national.parents(lsoas, {c: region_of.get(lad, "") for c, lad in
                                                                   lad_of.items()})  # fmt: skip
        return {"values": write_index_values(self, dataset, types["lsoa21"], lsoas, domains.values, parents_by_type)}


def write_need_values(importer: Importer, dataset: DataSet, table: geography.LsoaTable,
                      domains: dict[str, tuple[str, np.ndarray]], labels: tuple[str, str]) -> int:  # fmt: skip
    """A community-need index on 2021 LSOAs: score, rank and domain scores for LSOAs and, population-weighted,
    for MSOAs, wards and districts; and which areas are doubly disadvantaged with the IMD 2025 (the
    left-behind rule at each geography, through the selection engine)."""
    types = importer.area_types()
    score_name, rank_name = labels
    frame = national.lsoa21_areas(importer.data_dir)
    source = national.PackSource(importer.data_dir)
    written, order = 0, 0
    levels = [("lsoa21", None), ("msoa21", "msoa21_code"), ("ward24", "ward24_code"), ("lad24", "ltla24_code")]
    levels = [(code, column) for code, column in levels if column is None or column in frame]
    for n, (code, column) in enumerate(levels):
        ids = importer.area_ids(types[code])
        parent_of = table.codes if column is None else national.parents(
            table, dict(zip(frame["lsoa21_code"], frame[column], strict=True)))  # fmt: skip
        summary = geography.aggregate(table, parent_of)
        figures = [(MeasureSpec("cni_score", score_name, "score", MORE, "Higher means more need."), summary["score"]),
                   (MeasureSpec("cni_rank", rank_name, RANK_UNIT.replace("deprived", "need"), LESS,
                                "Among areas of the same type."), summary["rank"])]  # fmt: skip
        for slug, (label, values) in domains.items():
            domain = geography.LsoaTable(table.codes, values, table.rank, table.population)
            part = geography.aggregate(domain, parent_of)
            figures.append((MeasureSpec(slug, label, "score", MORE), part["score"]))
        for spec, values in figures:
            written += importer.write_values(dataset, spec, order, ids, summary["code"], values)
            order += 1
        spec = selection.left_behind_spec(code, need=dataset.slug)
        chosen = set(selection.select(spec, source, near=0).chosen["code"])
        flags = [1.0 if c in chosen else 0.0 for c in summary["code"]]
        where = selection.GEOGRAPHIES[code][1]
        rule = MeasureSpec("left_behind", "Left behind (most deprived 10% on both IMD 2025 and community need)",
                           "yes = 1", description=f"IMD 2025 and {score_name} both in the most deprived 10% of "
                           f"{where} (population-weighted average scores above LSOAs).")  # fmt: skip
        written += importer.write_values(dataset, rule, order, ids, summary["code"], flags)
        order += 1
        importer.progress(n + 1, len(levels))
    return written


class Cni2023Importer(Importer):
    """OCSI's Community Needs Index 2023 on 2021 LSOAs (licensed, third party: shown on pages, never
    re-published in bulk) and the doubly disadvantaged areas it makes with the IMD 2025."""

    slug = "cni2023"
    name = "Community Needs Index 2023 (OCSI)"
    required = (national.CNI2023,)
    DOMAINS = (("civic_assets_score", "Civic Assets score", "Civic Assets Domain Score"),
               ("connectedness_score", "Connectedness score", "Connectedness Domain Score"),
               ("engaged_community_score", "Active and Engaged Community score",
                "Active and Engaged Community Domain Score"))  # fmt: skip

    def available(self) -> bool:
        return super().available() and Imd2025Importer(self.data_dir).available()

    def run(self) -> dict[str, int]:
        path = self.path(national.CNI2023)
        table = national.cni_lsoas(path, national.lsoa21_population(self.data_dir))
        frame = read_csv(path)
        domains = {slug: (label, numeric(frame, path, find_column(frame, path, [column], label)))
                   for slug, label, column in self.DOMAINS}  # fmt: skip
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="OCSI (Oxford Consultants for Social Inclusion)",
            source_url="https://ocsi.uk/", licence=THIRD_PARTY, release_date=dt.date(2023, 5, 1),
            is_third_party=True, family="CNI", edition=2023,
            description="Civic Assets, Connectedness and Active and Engaged Community on 2021 LSOAs; higher scores "
                        "mean more need; MSOA, ward and district figures are population-weighted averages. "
                        "Licensed: shown here, not re-published in bulk.",
        )  # fmt: skip
        labels = ("Community Needs Index score", "Community Needs Index rank")
        return {"values": write_need_values(self, dataset, table, domains, labels)}


class NeedProxyImporter(Importer):
    """Where OCSI's CNI is not in the pack: the open proxy for community need built from the IoD 2025
    indicators (specs/community_need_proxy_2025.toml), labelled a proxy wherever it is shown."""

    slug = "need-proxy-2025"
    name = "Community need, open proxy (IoD 2025 indicators; not the CNI)"
    required = (national.IMD2025_INDICATORS,)

    def available(self) -> bool:
        cni = self.path(national.CNI2023).is_file()
        return super().available() and not cni and Imd2025Importer(self.data_dir).available()

    def run(self) -> dict[str, int]:
        from commonground.engine.composite import build_from_files

        spec_path = Path(selection.__file__).resolve().parent.parent / "specs" / national.NEED_PROXY_2025
        spec, result = build_from_files(spec_path, self.path(national.IMD2025_INDICATORS))
        table = national.need_proxy_lsoas(self.data_dir, national.lsoa21_population(self.data_dir))
        domains = {f"{d.slug}_score": (d.name, result.domain_scores[d.slug]) for d in spec.domains}
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Computed by Common Ground from the IoD 2025 indicators (MHCLG)",
            licence=OGL, release_date=dt.date(2025, 10, 30),
            description=f"A PROXY, not OCSI's Community Needs Index. {spec.description}",
        )  # fmt: skip
        labels = ("Community need score (open proxy)", "Community need rank (open proxy)")
        return {"values": write_need_values(self, dataset, table, domains, labels)}
