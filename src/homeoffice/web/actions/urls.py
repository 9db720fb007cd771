"""Action-plan URLs, under the organisation: ``staff/<org_slug>/plan/...``."""

from django.urls import path

from homeoffice.web.actions import views

app_name = "actions"
urlpatterns = [
    path("staff/<slug:org_slug>/plan/", views.index, name="index"),
    path("staff/<slug:org_slug>/plan/wave-<int:wave_id>/", views.plan, name="plan"),
    path("staff/<slug:org_slug>/plan/new/", views.new, name="new"),
    path("staff/<slug:org_slug>/plan/action-<int:action_id>/", views.detail, name="detail"),
    path("staff/<slug:org_slug>/plan/action-<int:action_id>/edit/", views.edit, name="edit"),
    path("staff/<slug:org_slug>/plan/action-<int:action_id>/comment/", views.comment, name="comment"),
]
