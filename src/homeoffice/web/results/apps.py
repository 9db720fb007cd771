from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "homeoffice.web.results"
    label = "results"
    verbose_name = "Results"
