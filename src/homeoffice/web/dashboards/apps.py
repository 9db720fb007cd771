from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "homeoffice.web.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from homeoffice.web.dashboards.table import register_release_hook

        register_release_hook()
