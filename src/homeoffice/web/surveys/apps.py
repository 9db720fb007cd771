from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "homeoffice.web.surveys"
    label = "surveys"
    verbose_name = "Surveys"
