"""Routes of the statements (finance.views.statements): the choice, each statement's page and
its workbook."""

from django.urls import path

from . import statements

STATEMENTS = "koperasi/<int:pk>/buku/laporan/"

urlpatterns = [
    path(STATEMENTS, statements.statement_list, name="statements"),
    path(f"{STATEMENTS}<slug:kind>/", statements.statement_detail, name="statement"),
    path(f"{STATEMENTS}<slug:kind>.xlsx", statements.statement_xlsx, name="statement_xlsx"),
]
