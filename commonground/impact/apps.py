from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "commonground.impact"
    label = "impact"
    verbose_name = "Community impact assessments"
