from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "commonground.fund"
    label = "fund"
    verbose_name = "Community Wealth Fund"
