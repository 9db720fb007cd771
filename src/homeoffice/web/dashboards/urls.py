"""Dashboard URLs, under the organisation: ``staff/<org_slug>/results/...`` (issue 4, point 3).

Reports, exports and imports of the same app have their own URL file (``urls_data.py``).
"""

from django.urls import path

from homeoffice.web.dashboards import views

app_name = "dashboards"
WAVE = "staff/<slug:org_slug>/results/wave-<int:wave_id>/"
urlpatterns = [
    path("staff/<slug:org_slug>/results/", views.index, name="index"),
    path(WAVE, views.wave_dashboard, name="wave"),
    path(WAVE + "hidden/", views.hidden, name="hidden"),
    path(WAVE + "release/", views.release, name="release"),
    path(WAVE + "chart/<slug:name>.svg", views.wave_chart, name="wave_chart"),
    path(WAVE + "unit-<int:unit_id>/", views.unit_dashboard, name="unit"),
    path(WAVE + "unit-<int:unit_id>/chart/<slug:name>.svg", views.unit_chart, name="unit_chart"),
]
