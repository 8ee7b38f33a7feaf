from django.urls import path

from . import cashbook

urlpatterns = [
    path("koperasi/<int:pk>/buku/kas/", cashbook.cashbook, name="cashbook"),
    path(
        "koperasi/<int:pk>/buku/kas/nama-akun/",
        cashbook.cashbook_mappings,
        name="cashbook_mappings",
    ),
]
