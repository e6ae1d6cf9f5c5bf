from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "commonground.notify"
    label = "notify"
    verbose_name = "Notices"
