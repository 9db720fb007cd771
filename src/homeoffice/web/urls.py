"""URL map: admin for staff, the survey flow, each person's own result, staff login and the action plan."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from homeoffice.web import errors


def healthz(request: HttpRequest) -> HttpResponse:
    """A bare page of the same server (used by the load benchmark and by monitoring)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("homeoffice.web.responses.urls")),
    path("", include("homeoffice.web.results.urls")),
    path("", include("homeoffice.web.accounts.urls")),
    path("", include("homeoffice.web.actions.urls")),
    path("", include("homeoffice.web.dashboards.urls")),
    path("", include("homeoffice.web.dashboards.urls_data")),
]

handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
