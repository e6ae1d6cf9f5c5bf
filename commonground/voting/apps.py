from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "commonground.voting"
    label = "voting"
    verbose_name = "Voting kernel"
