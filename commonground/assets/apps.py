from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "commonground.assets"
    label = "assets"
    verbose_name = "Assets of community value"
