"""The books in the portal, under /koperasi/<cooperative>/buku/. Each part keeps its routes
beside its views."""

from django.urls import include, path

app_name = "finance"

urlpatterns = [
    path("", include("finance.views.books_urls")),
    path("", include("finance.views.statements_urls")),
    path("", include("finance.views.savings_urls")),
    path("", include("finance.views.cashbook_urls")),
    path("", include("finance.views.shu_urls")),
]
