from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "homeoffice.web.actions"
    label = "actions"
    verbose_name = "Action plan"
