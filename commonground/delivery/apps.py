from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "commonground.delivery"
    label = "delivery"
    verbose_name = "Delivery of funded projects"
