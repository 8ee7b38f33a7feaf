"""Routes of imports under /api/v1/ (names start with "api-")."""

from django.urls import path

from . import api

runs = api.ImportRunViewSet.as_view({"get": "list", "post": "create"})
run = api.ImportRunViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("imports/", runs, name="api-import-list"),
    path("imports/<int:pk>/", run, name="api-import-detail"),
    path(
        "imports/<int:pk>/confirm/",
        api.ImportRunViewSet.as_view({"post": "confirm"}),
        name="api-import-confirm",
    ),
    path(
        "imports/<int:pk>/cancel/",
        api.ImportRunViewSet.as_view({"post": "cancel"}),
        name="api-import-cancel",
    ),
    path(
        "imports/<int:pk>/error-rows/",
        api.ImportRunViewSet.as_view({"get": "error_rows"}),
        name="api-import-error-rows",
    ),
    path("import-templates/<slug:kind>/", api.import_template, name="api-import-template"),
]
