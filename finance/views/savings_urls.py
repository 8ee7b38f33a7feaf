"""Members' savings (finance.views.savings): the cooperative's savings under its books, each
member's passbook under the member."""

from django.urls import path

from . import savings

SAVINGS = "koperasi/<int:pk>/buku/simpanan/"
PASSBOOK = "koperasi/<int:pk>/anggota/<int:member_pk>/simpanan/"

urlpatterns = [
    path(SAVINGS, savings.savings_page, name="savings"),
    path(f"{SAVINGS}catat/", savings.savings_record_view, name="savings_record"),
    path(f"{SAVINGS}ketentuan/", savings.savings_policy_view, name="savings_policy"),
    path(f"{SAVINGS}posting/", savings.savings_post_view, name="savings_post"),
    path(
        f"{SAVINGS}tunggakan-wajib.xlsx", savings.savings_arrears_xlsx, name="savings_arrears_xlsx"
    ),
    path(PASSBOOK, savings.passbook_page, name="passbook"),
    path(f"{PASSBOOK}buku-simpanan.xlsx", savings.passbook_xlsx, name="passbook_xlsx"),
]
