"""A generic area–dataset–value model: a new dataset is a new importer, not a new table.

After mySociety's Local Intelligence Hub (AreaType, Area, DataSet, DataType, AreaData).
"""

from __future__ import annotations

from django.db import models


class AreaType(models.Model):
    """A level of geography at one vintage, e.g. LSOA 2011 or ward 2017 (boundaries change).

    One vintage per level is current (2021 LSOAs, 2024 wards and districts): pages, searches, lists and
    maps show it by default, and older editions are one click away, labelled with their year.
    """

    class Level(models.TextChoices):
        LSOA = "lsoa", "Lower-layer Super Output Area"
        MSOA = "msoa", "Middle-layer Super Output Area"
        WARD = "ward", "Ward"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        REGION = "region", "Region"
        NATION = "nation", "Nation"

    code = models.SlugField(max_length=32, unique=True, help_text="For example lsoa11, ward17, lad19.")
    level = models.CharField(max_length=20, choices=Level.choices)
    name = models.CharField(max_length=100)
    vintage = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year of the boundaries.")
    is_current = models.BooleanField(default=False, help_text="The geography pages show by default.")
    population_note = models.CharField(
        max_length=200, blank=True, help_text="Where its areas' populations come from, e.g. ONS mid-2022."
    )

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    area_type = models.ForeignKey(AreaType, on_delete=models.PROTECT, related_name="areas")
    code = models.CharField(max_length=16, help_text="ONS GSS code; demo areas use codes starting with X.")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    population = models.PositiveIntegerField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    geometry = models.TextField(blank=True, help_text="GeoJSON geometry (WGS84), generalised for the web.")
    geometry_note = models.CharField(
        max_length=200, blank=True, help_text="How the boundary was drawn when it is not the area's published one."
    )
    also_in = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="contains",
        help_text="Areas of another hierarchy it lies in (a 2021 LSOA's MSOA); its parent is its ward.",
    )  # fmt: skip

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area_type", "code"], name="one_area_per_code_and_type")]
        indexes = [
            models.Index(fields=["code"]),
            # Every page asks whether demo areas are loaded (the banner): without this, with the national
            # data and no demo, that question scanned all 81,000 areas on each request.
            models.Index(fields=["is_demo"], condition=models.Q(is_demo=True), name="places_area_demo"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        url = reverse("places:area-detail", args=[self.code])
        return url if self.area_type.is_current else f"{url}?type={self.area_type.code}"


class DataSet(models.Model):
    """A published source of figures, with what a reader needs to trust and reuse it."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300)
    source_url = models.URLField(blank=True)
    licence = models.CharField(max_length=100)
    release_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False)
    family = models.CharField(
        max_length=20, blank=True, help_text="A relative index published in editions (IoD, CNI): never compared across."
    )
    edition = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year of the edition, e.g. 2025.")
    is_third_party = models.BooleanField(
        default=False,
        help_text="Licensed third-party data (e.g. OCSI's CNI): shown with its licence, never re-published.",
    )
    loaded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def edition_label(self) -> str:
        """What every figure from it is labelled with: "IoD 2025", "CNI 2023", else its name."""
        return f"{self.family} {self.edition}" if self.family and self.edition else self.name


class Measure(models.Model):
    """One kind of figure in a dataset (a DataType in LIH terms)."""

    class Direction(models.TextChoices):
        HIGHER_MORE_NEED = "higher_more_need", "Higher means more need"
        HIGHER_LESS_NEED = "higher_less_need", "Higher means less need"
        NEUTRAL = "neutral", "Neither"

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="measures")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.NEUTRAL)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "slug"], name="one_measure_slug_per_dataset")]
        ordering = ["dataset", "order", "slug"]

    def __str__(self) -> str:
        return self.name


class AreaValue(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="values")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    value = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "measure"], name="one_value_per_area_and_measure")]

    def __str__(self) -> str:
        return f"{self.measure.slug} = {self.value}"


class Postcode(models.Model):
    """A live postcode and an LSOA it lies in (one row per LSOA vintage loaded), from the ONS
    Postcode Directory; PB processes use it to check a voter lives in their area."""

    postcode = models.CharField(max_length=8, help_text='Published form, e.g. "AB1 2CD".')
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        # Its index leads with the postcode, so it also serves the look-up by postcode.
        constraints = [models.UniqueConstraint(fields=["postcode", "area"], name="one_row_per_postcode_and_lsoa")]

    def __str__(self) -> str:
        return self.postcode


class NationalFigure(models.Model):
    """A figure computed over every area of a type (a comparison table, a count, a highest rank), kept per
    data version: after a restart each worker reads one small row instead of scanning the national tables."""

    key = models.CharField(max_length=200, unique=True)
    version = models.CharField(max_length=64, help_text="The places data version it was computed for.")
    value = models.JSONField()

    def __str__(self) -> str:
        return self.key
