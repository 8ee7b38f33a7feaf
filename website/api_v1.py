"""/api/v1/: the REST API. Each app adds its routes here."""

from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request: Request, path: str = "") -> Response:
    """Unknown API paths answer JSON, not the portal's HTML 404 page."""
    return Response({"detail": _("This API address does not exist.")}, status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("cooperatives.api_urls")),
    path("", include("forms.api_urls")),
    path("", include("workflows.api_urls")),
    path("", include("imports.api_urls")),
    path("", include("loans.api_urls")),
    path("", include("finance.api_urls")),
    # Last: anything not matched above.
    re_path(r"^(?P<path>.*)$", not_found, name="api-not-found"),
]
