"""The lists a plan chooses from: Pride in Place's three strategic objectives and the nine theme headings of its
indicative list of interventions (site admins may edit both; named interventions are not yet confirmed)."""

from django.db import migrations

PROSPECTUS = (
    "Plan for Neighbourhoods prospectus and tools (MHCLG, 4 March 2025): investment should revitalise areas by "
    "“building thriving places, creating stronger communities, and empowering people to take back control”."
)
OBJECTIVES = (
    ("thriving-places", "Thriving places",
     "Vibrant neighbourhoods with busy high streets, a good range of local amenities and high-quality physical "
     "infrastructure."),
    ("stronger-communities", "Stronger communities",
     "Strong relationships and a collective sense of belonging to the community."),
    ("take-back-control", "Take back control",
     "People empowered and in control of their lives, with a say over the future of their community."),
)  # fmt: skip
RESTATED = (
    "Theme heading of MHCLG's indicative list of Pride in Place interventions as restated by a council (Bath and "
    "North East Somerset, bathnesplaces.co.uk), not yet checked against the gov.uk list. Codes are Common Ground's."
)
THEMES = (
    ("regeneration", "Regeneration, high streets and heritage"),
    ("housing", "Housing"),
    ("work-skills", "Work, productivity and skills"),
    ("cohesion", "Cohesion"),
    ("community-power", "Community power"),
    ("health-wellbeing", "Health and wellbeing"),
    ("transport", "Transport"),
    ("safety", "Safety and security"),
    ("education", "Education and opportunities"),
)


def seed(apps, schema_editor):
    StrategicObjective = apps.get_model("neighbourhoods", "StrategicObjective")
    InterventionTheme = apps.get_model("neighbourhoods", "InterventionTheme")
    for order, (code, name, description) in enumerate(OBJECTIVES, 1):
        StrategicObjective.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "source_note": PROSPECTUS, "order": order}
        )
    for order, (code, name) in enumerate(THEMES, 1):
        InterventionTheme.objects.get_or_create(
            code=code, defaults={"name": name, "source_note": RESTATED, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("neighbourhoods", "0002_board_and_plan")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
