"""/api/v1/: the REST API. Each app adds its routes here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("cooperatives.api_urls")),
]
