"""Routes of the books' core pages (namespace `finance`): the hub, the chart, the journal, one
entry and the months."""

from django.urls import path

from . import books

BOOKS = "koperasi/<int:pk>/buku/"

urlpatterns = [
    path(BOOKS, books.books_hub, name="books"),
    path(f"{BOOKS}akun/", books.account_list, name="accounts"),
    path(f"{BOOKS}akun/tambah/", books.account_add, name="account_add"),
    path(f"{BOOKS}akun/<int:account_pk>/", books.account_edit, name="account_edit"),
    path(f"{BOOKS}jurnal/", books.journal_list, name="journal"),
    path(f"{BOOKS}jurnal/ekspor.xlsx", books.journal_xlsx, name="journal_xlsx"),
    path(f"{BOOKS}jurnal/baru/", books.journal_new, name="journal_new"),
    path(f"{BOOKS}jurnal/<int:entry_pk>/", books.entry_detail, name="entry"),
    path(f"{BOOKS}jurnal/<int:entry_pk>/balik/", books.entry_reverse, name="entry_reverse"),
    path(f"{BOOKS}periode/", books.period_list, name="periods"),
    path(f"{BOOKS}periode/tutup/", books.period_close_view, name="period_close"),
    path(f"{BOOKS}periode/buka/", books.period_reopen_view, name="period_reopen"),
]
