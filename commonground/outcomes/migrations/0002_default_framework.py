"""The default framework: nine themes (a borough wellbeing framework co-designed with residents:
health, equality and safety cross-cutting) and one starting measure for each, from the IoD and CNI."""

from django.db import migrations

THEMES = (
    ("health", "Health", True, "Physical and mental health, and the conditions for it."),
    ("equality", "Equality", True, "Fair chances whoever you are and wherever you live."),
    ("safety", "Safety", True, "Feeling and being safe at home and in public places."),
    ("income", "Income and affordability", False, "Enough money to live on; costs people can meet."),
    ("education", "Education and lifelong learning", False, "Learning at every age, and the skills for work."),
    ("social-connections", "Social connections", False, "Knowing people, places to meet, getting around."),
    (
        "empowered-citizenship",
        "Empowered citizenship",
        False,
        "Residents taking part in the decisions that shape the place.",
    ),
    ("environment", "Environment", False, "Clean air, green space and decent surroundings."),
    ("housing", "Housing", False, "Homes people can afford, in good repair, and access to services."),
)
IOD = "Ministry of Housing, Communities and Local Government (English Indices of Deprivation)"
IOD_PERIOD = "Every 4 to 6 years (2019, 2025)"
MORE = "higher_more_need"
IMD_SOURCES = (("imd2019", "2019"), ("demo-imd", "2019"), ("imd2025", "2025"))
CNI_SOURCES = (("cni2019", "2019"), ("demo-cni", "2019"))
# (theme, slug, name, source, unit, measure slug in places, sources, headline)
MEASURES = (
    ("equality", "deprivation", "Deprivation (IMD score)", IOD, "score", "imd_score", IMD_SOURCES, True),
    ("income", "income-deprivation", "Income deprivation", IOD, "0–100", "income_score", IMD_SOURCES, True),
    (
        "health",
        "health-deprivation",
        "Health deprivation and disability",
        IOD,
        "0–100",
        "health_score",
        IMD_SOURCES,
        True,
    ),
    (
        "education",
        "education-deprivation",
        "Education, skills and training deprivation",
        IOD,
        "0–100",
        "education_score",
        IMD_SOURCES,
        False,
    ),
    ("safety", "crime", "Crime", IOD, "0–100", "crime_score", IMD_SOURCES, True),
    (
        "housing",
        "barriers-to-housing",
        "Barriers to housing and services",
        IOD,
        "0–100",
        "barriers_score",
        IMD_SOURCES,
        False,
    ),
    (
        "environment",
        "living-environment",
        "Living environment deprivation",
        IOD,
        "0–100",
        "living_environment_score",
        IMD_SOURCES,
        False,
    ),
    (
        "social-connections",
        "connectedness",
        "Connectedness (community need)",
        "OCSI for Local Trust (Community Needs Index)",
        "score",
        "connectedness_score",
        CNI_SOURCES,
        False,
    ),
    (
        "empowered-citizenship",
        "engaged-community",
        "Active and engaged community (community need)",
        "OCSI for Local Trust (Community Needs Index)",
        "score",
        "engaged_community_score",
        CNI_SOURCES,
        False,
    ),
)


def seed(apps, schema_editor):
    Theme = apps.get_model("outcomes", "Theme")
    WellbeingMeasure = apps.get_model("outcomes", "WellbeingMeasure")
    MeasureSource = apps.get_model("outcomes", "MeasureSource")
    MeasureChange = apps.get_model("outcomes", "MeasureChange")
    themes = {}
    for order, (slug, name, cross, description) in enumerate(THEMES):
        themes[slug] = Theme.objects.create(
            slug=slug, name=name, cross_cutting=cross, description=description, order=order
        )
    for order, (theme, slug, name, source, unit, data_slug, sources, headline) in enumerate(MEASURES):
        period = IOD_PERIOD if sources is IMD_SOURCES else "2019 (one release)"
        measure = WellbeingMeasure.objects.create(
            theme=themes[theme],
            slug=slug,
            name=name,
            source=source,
            unit=unit,
            direction=MORE,
            geography="ward",
            period=period,
            headline=headline,
            order=order,
        )
        for dataset, label in sources:
            MeasureSource.objects.create(measure=measure, dataset_slug=dataset, measure_slug=data_slug, period=label)
        MeasureChange.objects.create(
            measure=measure,
            action="added",
            after={"theme": theme, "name": name},
            reason="Default framework (data migration)",
        )


def unseed(apps, schema_editor):
    for model in ("MeasureChange", "MeasureSource", "WellbeingMeasure", "Theme"):
        apps.get_model("outcomes", model).objects.all()._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
