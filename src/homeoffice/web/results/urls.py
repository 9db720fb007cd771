"""Personal result URLs. None carries a response id: the session says whose result it is."""

from django.urls import path

from homeoffice.web.results import views

app_name = "results"
urlpatterns = [
    path("result/", views.mine, name="mine"),
    path("result/chart.svg", views.chart, name="chart"),
    path("result/scores-<slug:axis>.svg", views.scores_chart, name="scores_chart"),
    path("result/pdf/", views.pdf, name="pdf"),
    path("result/withdraw/", views.withdraw, name="withdraw"),
    path("result/withdrawn/", views.withdrawn, name="withdrawn"),
]
