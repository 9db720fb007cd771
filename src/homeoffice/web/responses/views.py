"""Survey flow views."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "responses/home.html", {"lang": request.GET.get("lang", "nb")})
