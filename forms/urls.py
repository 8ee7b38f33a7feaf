from django.urls import path

from . import views

urlpatterns = [
    path("formulir/", views.form_list, name="form_list"),
    path("formulir/<int:form_pk>/isian/", views.submission_list, name="submission_list"),
    path("isian/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("isian/<int:pk>/langkah/<int:step>/", views.submission_step, name="submission_step"),
    path("isian/<int:pk>/periksa/", views.submission_review, name="submission_review"),
    path(
        "isian/<int:pk>/berkas/<int:file_pk>/",
        views.submission_file,
        name="submission_file",
    ),
]
