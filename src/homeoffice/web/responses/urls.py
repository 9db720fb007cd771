"""Survey flow URLs (implemented in responses.views)."""

from django.urls import path

from homeoffice.web.responses import views

app_name = "responses"
urlpatterns = [
    path("", views.home, name="home"),
]
