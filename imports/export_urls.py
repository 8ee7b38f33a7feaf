from django.urls import path

from . import export_views
from .exports import EXPORTS

# One pattern per list of a cooperative (koperasi/<pk>/ekspor/anggota.xlsx, …, named
# export_members, …), so that every URL names a real list and the authorisation matrix tests
# each: the kind comes from the pattern, never from a free slug.
urlpatterns = [
    *(
        path(
            f"koperasi/<int:pk>/ekspor/{export.slug}.xlsx",
            export_views.cooperative_export,
            {"kind": export.code},
            name=f"export_{export.code}",
        )
        for export in EXPORTS.values()
        if export.per_cooperative
    ),
    path(
        "formulir/<int:form_pk>/isian.xlsx",
        export_views.submission_export,
        name="submission_export",
    ),
    path("ekspor/<int:pk>/", export_views.export_job_detail, name="export_job_detail"),
    path("ekspor/<int:pk>/unduh/", export_views.export_job_download, name="export_job_download"),
]
