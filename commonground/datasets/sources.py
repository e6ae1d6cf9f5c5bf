"""Where each official publication behind the national data is published, and where it lands.

Why a catalogue: the product never ships third-party data files, so each installation fetches them from
their publishers (or from a mirror laid out like the destination). Every entry names its publisher,
licence and address, and how the address was confirmed, so an installation can show where its data came
from.

About digests: this catalogue was written without access to the internet, so no publisher's file has
been seen byte for byte and none is pinned (`sha256=None`). The downloader records the digest it
receives in PROVENANCE.json and later runs check the file against that record. The `File_*.csv` files in
the reference data pack are third-party Excel-to-CSV conversions (UTF-8 BOM, thousands separators), not
the publications, so they cannot supply digests either. MHCLG publish the IoD 2019 Files 1-6 as XLSX
workbooks; only File 7 ("all ranks, scores, deciles and population denominators") is a CSV, and it carries
the column headers of Files 2, 5 and 6 together, so the engine's readers read it as published.

Layout: MHCLG's files sit where the loader reads them as published (imd2019/, imd2025/; see
commonground/engine/national.py). ONS files that must be reshaped into the data pack's layout are kept
under raw/ons/ under ONS's own service or file names; commonground/datasets/derive.py builds the pack's
files from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = ["CATALOGUE", "MHCLG", "OGL3", "ONS", "Source"]

OGL3 = "Open Government Licence v3.0"
MHCLG = "Ministry of Housing, Communities and Local Government (MHCLG)"
ONS = "Office for National Statistics (ONS)"

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Source:
    """One published file: where it is published and where it lands under the destination directory.

    `sha256` is pinned only when we hold the publication byte for byte; otherwise it is None and the
    downloader records the digest it received without being able to verify it. A `layer` source is an
    ArcGIS FeatureServer layer (`url` ends in /FeatureServer/N): it is fetched as paged GeoJSON queries
    asking for `fields`, and the pages are joined into one FeatureCollection.
    """

    relative_path: str
    url: str
    sha256: str | None
    licence: str
    publisher: str
    description: str
    layer: bool = False
    fields: str = "*"

    def __post_init__(self) -> None:
        """Reject paths that could escape the destination and malformed digests when the catalogue is built."""
        path = PurePosixPath(self.relative_path)
        if not self.relative_path or path.is_absolute() or ".." in path.parts or "\\" in self.relative_path:
            raise ValueError(
                f"relative_path must be a relative POSIX path inside the destination: {self.relative_path!r}"
            )
        if self.sha256 is not None and not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"sha256 must be 64 lowercase hex digits or None: {self.sha256!r}")
        if self.fields != "*" and not self.layer:
            raise ValueError(f"fields only applies to a FeatureServer layer: {self.relative_path!r}")


# How each URL was confirmed (stored copies of public repositories; no live page was read):
# - IoD 2019 XLSX under attachment_data/file/NNNNNN/: the legacy GOV.UK asset paths, which now redirect
#   to /media/<id>/ (urllib follows redirects). 833970 (File 1), 833973 (File 2) and 833978 (File 5) are
#   used verbatim by many public scripts; 833980 (File 6) by one: the README of anetobradley/energy_flex
#   data/imd, the repository the data pack's File_*.csv conversions came from.
# - IoD 2019 File 7: /media/5dc407b440f0b6379a7acc8d/ in two repositories; the same file is also cited as
#   attachment_data/file/845345/... (humaniverse/IMD data-raw query_urls and others).
# - IoD 2025 (published 30 October 2025, corrected files re-issued in November 2025): File 7 CSV and File 1
#   at the /media/ paths below appear in many repositories; File 2 in two; File 5 in two. humaniverse/IMD
#   data-raw/imd2025_england_lsoa21.R (commit 2f6c905) reads File 7's headers that derive.py maps.
# - ONS FeatureServer layers on services1.arcgis.com/ESMARspQHYMw9BZ9 (the Open Geography Portal's
#   ArcGIS Online organisation): the lookup services are those in humaniverse/geographr
#   data-raw/query-urls.R at commit c026be5 (the repository the data pack's lookups came from), whose
#   data-raw/lookup_*.R scripts name the fields read here (LSOA21CD, WD24CD, LAD24NM, RGN24CD,
#   F_LSOA11CD, CHGIND, WD17CD, LAD19CD ...). LAD19_RGN19_EN_LU_948748b0... is used verbatim by two other
#   repositories. OA_LSOA_MSOA_EW_DEC_2021_LU_v3 (portal item b9ca90c10aaa4b8d9791e9859a38ca67, fields
#   LSOA21CD, MSOA21CD) is named in one repository's notes. The three BGC boundary services are used
#   verbatim with f=geojson by several repositories, which read WD24CD/WD24NM/LAD24CD, LAD24CD/LAD24NM
#   and LSOA21CD/LSOA21NM from them.
# - SAPE: the ons.gov.uk file?uri= address of sapelsoabroadage20222024.xlsx is used verbatim by several
#   repositories, which read sheet "Mid-2024 LSOA 2021" (header row 4: "LSOA 2021 Code", "Total",
#   "F0-15" ... "M65+").
# The hub.arcgis.com download API is not used: its exports are prepared asynchronously (a JSON status
# to poll), while the FeatureServer query answers directly.
#
# Left out of the default set (not confirmed):
# - IoD 2025 File 6 (population denominators): the only URL seen, /media/68ff5c8c394b8c2a6ddf5d90/
#   File_6_IoD2025_Population_Denominators.xlsx, dates from before the November re-issue and may be
#   superseded. File 7 2025 carries the same denominators.
# - imd2019/imd2019_england_lsoa11.csv and the other imd20xx_* tables: derived by the humaniverse/IMD R
#   package (from File 7); they have no official publication of their own (the loader reads File 7).
_GOVUK_2019 = "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file"
_GOVUK_MEDIA = "https://assets.publishing.service.gov.uk/media"
_ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
_SAPE = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/"
    "datasets/lowersuperoutputareamidyearpopulationestimatesnationalstatistics/mid2022revisednov2025tomid2024/"
    "sapelsoabroadage20222024.xlsx"
)


def _ons_layer(service: str, description: str, fields: str = "*", *, name: str | None = None) -> Source:
    """An ONS FeatureServer layer saved under raw/ons/ by its service name (without a portal hash suffix)."""
    return Source(
        relative_path=f"raw/ons/{name or service}.geojson",
        url=f"{_ARCGIS}/{service}/FeatureServer/0",
        sha256=None,
        licence=OGL3,
        publisher=ONS,
        description=description,
        layer=True,
        fields=fields,
    )


CATALOGUE: tuple[Source, ...] = (
    Source(
        relative_path="imd2019/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
        url=f"{_GOVUK_MEDIA}/5dc407b440f0b6379a7acc8d/"
        "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 7 (CSV): every score, rank and decile of the IMD and its seven domains, and the "
        "mid-2015 population denominators, for the 32,844 LSOAs (2011) in England.",
    ),
    Source(
        relative_path="imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        url=f"{_GOVUK_2019}/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 1 (XLSX): IMD rank and decile per LSOA (2011).",
    ),
    Source(
        relative_path="imd2019/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
        url=f"{_GOVUK_2019}/833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 2 (XLSX): IMD and the seven domain ranks and deciles per LSOA (2011).",
    ),
    Source(
        relative_path="imd2019/File_5_-_IoD2019_Scores.xlsx",
        url=f"{_GOVUK_2019}/833978/File_5_-_IoD2019_Scores.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 5 (XLSX): IMD and the seven domain scores per LSOA (2011).",
    ),
    Source(
        relative_path="imd2019/File_6_-_IoD2019_Population_Denominators.xlsx",
        url=f"{_GOVUK_2019}/833980/File_6_-_IoD2019_Population_Denominators.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 6 (XLSX): mid-2015 population denominators (excluding prisoners) per LSOA (2011).",
    ),
    Source(
        relative_path="imd2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
        url=f"{_GOVUK_MEDIA}/691ded56d140bbbaa59a2a7d/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 7 (CSV): every score, rank and decile and the population denominators for the "
        "33,755 LSOAs (2021) in England.",
    ),
    Source(
        relative_path="imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        url=f"{_GOVUK_MEDIA}/691dece32c6b98ecdbc500d5/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 1 (XLSX): IMD rank and decile per LSOA (2021).",
    ),
    Source(
        relative_path="imd2025/File_2_IoD2025_Domains_of_Deprivation.xlsx",
        url=f"{_GOVUK_MEDIA}/691decfae39a085bda43efcd/File_2_IoD2025_Domains_of_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 2 (XLSX): IMD and the seven domain ranks and deciles per LSOA (2021).",
    ),
    Source(
        relative_path="imd2025/File_5_IoD2025_Scores_for_the_Indices_of_Deprivation.xlsx",
        url=f"{_GOVUK_MEDIA}/691ded34513046b952c500bd/File_5_IoD2025_Scores_for_the_Indices_of_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 5 (XLSX): IMD and the seven domain scores per LSOA (2021).",
    ),
    _ons_layer(
        "LSOA21_WD24_LAD24_EW_LU",
        "LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW: LSOA21CD, LSOA21NM, WD24CD, "
        "WD24NM, LAD24CD, LAD24NM.",
    ),
    _ons_layer(
        "LAD24_RGN24_EN_LU",
        "Local Authority District to Region (December 2024) Lookup in EN: LAD24CD, LAD24NM, RGN24CD, RGN24NM.",
    ),
    _ons_layer(
        "LSOA11_LSOA21_LAD22_EW_LU",
        "LSOA (2011) to LSOA (2021) to LAD (2022) Lookup in EW: F_LSOA11CD (or LSOA11CD), LSOA11NM, CHGIND "
        "(U unchanged, S split, M merged, X redrawn), LSOA21CD, LSOA21NM, LAD22CD, LAD22NM.",
    ),
    _ons_layer(
        "OA_LSOA_MSOA_EW_DEC_2021_LU_v3",
        "Output Area (2021) to LSOA to MSOA to LAD (December 2021) Exact Fit Lookup in EW (V3), portal item "
        "b9ca90c10aaa4b8d9791e9859a38ca67; one row per Output Area. The service name was seen in one "
        "repository only, and the name fields LSOA21NM and MSOA21NM were not confirmed there.",
        "LSOA21CD,LSOA21NM,MSOA21CD,MSOA21NM",
    ),
    _ons_layer(
        "LSOA11_WD19_LAD19_EW_LU",
        "Lower Layer Super Output Area (2011) to Ward (2019) Lookup in England and Wales: LSOA11CD, LSOA11NM, "
        "LAD19CD, LAD19NM (the districts the IoD 2019 uses).",
    ),
    _ons_layer(
        "LSOA11_WD17_EW_LU_c65dfe9ca2fa4b0fa578b65a4d5c9856",
        "Lower Layer Super Output Area (2011) to Ward (2017) Lookup in England and Wales: LSOA11CD, WD17CD, the "
        "best-fit wards the Community Needs Index 2019 uses. An older portal item (hash-suffixed service "
        "name): whether it is still served was not confirmed.",
        name="LSOA11_WD17_EW_LU",
    ),
    _ons_layer(
        "LAD19_RGN19_EN_LU_948748b0eaa54fe888a604b126f5e672",
        "Local Authority District to Region (April 2019) Lookup in England: LAD19CD, LAD19NM, RGN19CD, RGN19NM. "
        "An older portal item (hash-suffixed service name): whether it is still served was not confirmed.",
        name="LAD19_RGN19_EN_LU",
    ),
    _ons_layer(
        "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BGC_V5",
        "Lower layer Super Output Areas (December 2021) Boundaries EW BGC (generalised to 20 m, clipped to the "
        "coastline): LSOA21CD, LSOA21NM and the polygons in WGS84.",
        "LSOA21CD,LSOA21NM",
    ),
    _ons_layer(
        "Wards_December_2024_Boundaries_UK_BGC",
        "Wards (December 2024) Boundaries UK BGC: WD24CD, WD24NM, LAD24CD and the polygons in WGS84.",
        "WD24CD,WD24NM,LAD24CD",
    ),
    _ons_layer(
        "Local_Authority_Districts_December_2024_Boundaries_UK_BGC",
        "Local Authority Districts (December 2024) Boundaries UK BGC: LAD24CD, LAD24NM and the polygons in WGS84.",
        "LAD24CD,LAD24NM",
    ),
    Source(
        relative_path="raw/ons/sapelsoabroadage20222024.xlsx",
        url=_SAPE,
        sha256=None,
        licence=OGL3,
        publisher=ONS,
        description="Lower layer Super Output Area population estimates by broad age and sex, mid-2022 (revised "
        "November 2025) to mid-2024, on 2021 LSOAs in England and Wales (XLSX, one sheet per year).",
    ),
)
