"""Personal result URLs (implemented in results.views)."""

app_name = "results"
urlpatterns: list = []
