from django.urls import path

from . import views

urlpatterns = [
    path("tugas/", views.inbox_view, name="inbox"),
    path("tugas/<int:pk>/", views.task_detail, name="task_detail"),
    path("isian/<int:pk>/tarik/", views.submission_withdraw_view, name="submission_withdraw"),
    path(
        "isian/<int:pk>/riwayat.xlsx", views.submission_history_xlsx, name="submission_history_xlsx"
    ),
    path("pemberitahuan/", views.notification_list, name="notification_list"),
    path("laporan-persetujuan/", views.workflow_report_view, name="workflow_report"),
    path("laporan-persetujuan.xlsx", views.workflow_report_xlsx, name="workflow_report_xlsx"),
]
