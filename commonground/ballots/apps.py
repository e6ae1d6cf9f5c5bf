from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "commonground.ballots"
    label = "ballots"
    verbose_name = "Resident ballots"
