from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "homeoffice.web.responses"
    label = "responses"
    verbose_name = "Responses"
