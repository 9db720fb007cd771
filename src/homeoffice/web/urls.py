"""URL map: admin for staff, the survey flow and each person's own result."""

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
]

handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
