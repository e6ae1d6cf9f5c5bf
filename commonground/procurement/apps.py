from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "commonground.procurement"
    label = "procurement"
    verbose_name = "Social value in procurement"
