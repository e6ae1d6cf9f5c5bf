from django.apps import AppConfig


class SpendingConfig(AppConfig):
    name = "commonground.spending"
    label = "spending"
    verbose_name = "Place-based spending and pooled budgets"
