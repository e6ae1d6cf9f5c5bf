from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "commonground.panels"
    label = "panels"
    verbose_name = "Citizens' panels"
