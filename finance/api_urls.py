"""Routes of the books under /api/v1/cooperatives/<id>/. URL names start with "api-" so that they
never collide with the portal's."""

from django.urls import path

from . import api

accounts = api.AccountViewSet.as_view({"get": "list", "post": "create"})
journal = api.JournalViewSet.as_view({"get": "list", "post": "create"})
entry = api.JournalViewSet.as_view({"get": "retrieve"})
entry_reverse = api.JournalViewSet.as_view({"post": "reverse"})
periods = api.PeriodViewSet.as_view({"get": "list"})
period_close = api.PeriodViewSet.as_view({"post": "close"})
period_reopen = api.PeriodViewSet.as_view({"post": "reopen"})
savings = api.SavingsViewSet.as_view({"get": "list", "post": "create"})
member_savings = api.SavingsViewSet.as_view({"get": "member"}, pagination_class=None)
shu = api.ShuViewSet.as_view({"get": "retrieve"})
# One address per statement, so that each documents the period parameters it takes; all are
# named "api-books-statement" and reversed with their kind.
STATEMENTS = {
    "trial-balance": "trial_balance",
    "balance-sheet": "balance_sheet",
    "income-statement": "income_statement",
    "cash-flow": "cash_flow",
    "equity-changes": "equity_changes",
}

urlpatterns = [
    path("cooperatives/<int:pk>/accounts/", accounts, name="api-books-accounts"),
    path("cooperatives/<int:pk>/journal/", journal, name="api-books-journal"),
    path("cooperatives/<int:pk>/journal/<int:entry_pk>/", entry, name="api-books-entry"),
    path(
        "cooperatives/<int:pk>/journal/<int:entry_pk>/reverse/",
        entry_reverse,
        name="api-books-entry-reverse",
    ),
    path("cooperatives/<int:pk>/periods/", periods, name="api-books-periods"),
    path("cooperatives/<int:pk>/periods/close/", period_close, name="api-books-period-close"),
    path("cooperatives/<int:pk>/periods/reopen/", period_reopen, name="api-books-period-reopen"),
    path("cooperatives/<int:pk>/savings/", savings, name="api-books-savings"),
    path(
        "cooperatives/<int:pk>/members/<int:member_pk>/savings/",
        member_savings,
        name="api-books-member-savings",
    ),
    path("cooperatives/<int:pk>/shu/<int:year>/", shu, name="api-books-shu"),
    *(
        path(
            f"cooperatives/<int:pk>/statements/{kind}/",
            api.StatementViewSet.as_view({"get": action}),
            {"kind": kind},
            name="api-books-statement",
        )
        for kind, action in STATEMENTS.items()
    ),
]
