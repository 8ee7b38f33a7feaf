from django.urls import path

from . import views

urlpatterns = [
    path("koperasi/<int:pk>/impor/", views.import_start, name="import_start"),
    path("impor/<int:pk>/", views.import_run_detail, name="import_run_detail"),
    path("impor/<int:pk>/status/", views.import_run_status, name="import_run_status"),
    path("impor/<int:pk>/konfirmasi/", views.import_run_confirm_view, name="import_run_confirm"),
    path("impor/<int:pk>/batal/", views.import_run_cancel_view, name="import_run_cancel"),
    path("impor/<int:pk>/berkas.xlsx", views.import_run_file, name="import_run_file"),
    path(
        "impor/<int:pk>/baris-salah.xlsx", views.import_run_error_rows, name="import_run_error_rows"
    ),
    path("templat/<slug:kind>.xlsx", views.import_template, name="import_template"),
    path("templat/formulir/<int:pk>.xlsx", views.form_import_template, name="form_import_template"),
]
