from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "homeoffice.web"
    label = "web"
    verbose_name = "homeoffice"
