from django.urls import path

from . import views

urlpatterns = [
    path("pinjaman/", views.loan_portfolio, name="loan_portfolio"),
    path("pinjaman/ekspor.xlsx", views.loan_portfolio_xlsx, name="loan_portfolio_xlsx"),
    path(
        "pinjaman/hitung-tunggakan/",
        views.loan_arrears_recompute,
        name="loan_arrears_recompute",
    ),
    path("pinjaman/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("pinjaman/<int:pk>/jadwal.xlsx", views.loan_schedule_xlsx, name="loan_schedule_xlsx"),
    path(
        "pinjaman/<int:pk>/pembayaran.xlsx",
        views.loan_repayments_xlsx,
        name="loan_repayments_xlsx",
    ),
    path(
        "pinjaman/<int:pk>/pencairan/",
        views.loan_payout_record_view,
        name="loan_payout_record",
    ),
    path(
        "pinjaman/<int:pk>/pencairan/konfirmasi/",
        views.loan_payout_confirm_view,
        name="loan_payout_confirm",
    ),
    path(
        "pinjaman/<int:pk>/pencairan/kembalikan/",
        views.loan_payout_reject_view,
        name="loan_payout_reject",
    ),
    path(
        "pinjaman/<int:pk>/pembayaran/",
        views.loan_repayment_record_view,
        name="loan_repayment_record",
    ),
    path(
        "pinjaman/<int:pk>/pembayaran/<int:repayment_pk>/batal/",
        views.loan_repayment_reverse_view,
        name="loan_repayment_reverse",
    ),
    path("pinjaman/<int:pk>/hapus-buku/", views.loan_write_off_view, name="loan_write_off"),
    path(
        "pinjaman/<int:pk>/jadwal-ulang/",
        views.loan_reschedule_view,
        name="loan_reschedule",
    ),
]
