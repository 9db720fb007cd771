"""Staff login, logout and home. Organisation pages live under ``staff/<org_slug>/`` (actions app)."""

from django.urls import path

from homeoffice.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("staff/", views.home, name="home"),
]
