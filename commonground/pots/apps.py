from django.apps import AppConfig


class PotsConfig(AppConfig):
    name = "commonground.pots"
    label = "pots"
    verbose_name = "Pots of money"
