"""Importers of the ONS small-area population estimates by age band and sex, summed up the geography."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from commonground.engine import national, population
from commonground.places.geography_importers import Geography2021Importer, GeographyImporter
from commonground.places.importer_base import (
    OGL,
    Importer,
    MeasureSpec,
)
from commonground.places.models import Area, AreaType, DataSet


def write_population_bands(importer: Importer, dataset: DataSet, lsoa_type: AreaType, lsoa_bands: pd.DataFrame) -> int:
    """Band counts for the LSOAs and, summed, for every ancestor (ward, district, region) in the database."""
    written = 0
    table = lsoa_bands
    area_type = lsoa_type
    while table is not None and not table.empty:
        areas = Area.objects.filter(area_type=area_type).values_list("code", "id", "parent__code", "parent__area_type")
        ids = {code: pk for code, pk, _, _ in areas}
        parent_of = {code: parent for code, _, parent, _ in areas}
        for order, band in enumerate(population.BANDS):
            label = f"Aged {band.label.lower()}" if band in population.AGE.bands else band.label
            spec = MeasureSpec(band.slug, f"Population: {label.lower()}", "people")
            written += importer.write_values(dataset, spec, order, ids, table.index, table[band.slug].to_numpy())
        parent_types = {t for _, _, _, t in areas if t is not None}
        if len(parent_types) != 1:
            break
        area_type = AreaType.objects.get(pk=parent_types.pop())
        table = population.sum_to_parents(table, parent_of)
    return written


class PopulationImporter(Importer):
    """ONS mid-2019 LSOA population by broad age band and sex, summed to wards, districts and regions."""

    slug = "population-mid2019"
    name = "Population by age and sex, mid-2019 (ONS)"
    required = (national.POPULATION_LSOA11, *GeographyImporter.required)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        bands = population.read_bands(self.path(self.required[0]))
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Office for National Statistics, mid-2019 small-area estimates",
            source_url="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
            licence=OGL, release_date=dt.date(2020, 10, 15),
            description="People by broad age band and sex in 2011 LSOAs; wards, districts and regions are sums.",
        )  # fmt: skip
        self.progress(1, 2)
        written = write_population_bands(self, dataset, types["lsoa11"], bands)
        self.progress(2, 2)
        return {"values": written}


class Population2022Importer(Importer):
    """ONS population of 2021 LSOAs by broad age band and sex (mid-2022 in the pack; the latest year `data
    fetch` brought), when the file has the bands, summed to 2024 wards, districts and regions."""

    slug = "population-mid2022"  # the slug names the 2021-LSOA estimates whatever their year; the name says it
    name = "Population by age and sex (ONS, 2021 LSOAs)"

    def available(self) -> bool:
        path = national.lsoa21_population_file(self.data_dir)
        return (path is not None and Geography2021Importer(self.data_dir).available()
                and population.has_bands(path))  # fmt: skip

    def run(self) -> dict[str, int]:
        types = self.area_types()
        path = national.lsoa21_population_file(self.data_dir)
        year = national.population_year(path)
        self.name = f"Population by age and sex, mid-{year} (ONS)"
        bands = population.read_bands(path)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source=f"Office for National Statistics, mid-{year} small-area estimates",
            source_url="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
            licence=OGL, release_date=dt.date(2024, 3, 20) if year == "2022" else None,
            description="People by broad age band and sex in 2021 LSOAs; wards, districts and regions are sums.",
        )  # fmt: skip
        written = write_population_bands(self, dataset, types["lsoa21"], bands)
        self.progress(1, 1)
        return {"values": written}
