from django.apps import AppConfig


class PublicBodiesConfig(AppConfig):
    name = "commonground.publicbodies"
    label = "publicbodies"
    verbose_name = "Public bodies"
