from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "homeoffice.web.organisations"
    label = "organisations"
    verbose_name = "Organisations"
