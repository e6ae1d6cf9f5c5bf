from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "commonground.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and wellbeing"
