from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "commonground.budgeting"
    label = "budgeting"
    verbose_name = "Participatory budgeting"
