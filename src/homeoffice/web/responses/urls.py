"""Survey flow URLs: entry, language, consent, question pages, save/resume, review and submit."""

from django.urls import path

from homeoffice.web.responses import views

app_name = "responses"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<str:token>/", views.link, name="link"),
    path("i/<str:token>/", views.invitation, name="invitation"),
    path("language/", views.language, name="language"),
    path("consent/", views.consent, name="consent"),
    path("start/", views.start, name="start"),
    path("answer/", views.continue_, name="continue"),
    path("answer/<int:page>/", views.page, name="page"),
    path("saved/", views.saved, name="saved"),
    path("submit/", views.submit, name="submit"),
    path("resume/", views.resume, name="resume"),
]
