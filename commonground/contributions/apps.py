from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "commonground.contributions"
    label = "contributions"
    verbose_name = "Developer contributions"
