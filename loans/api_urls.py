"""Routes of loans under /api/v1/. URL names start with "api-" so that they never collide with
the portal's."""

from django.urls import path

from . import api, api_matching

loans = api.LoanViewSet.as_view({"get": "list"})
portfolio = api.LoanViewSet.as_view({"get": "portfolio"})
loan = api.LoanViewSet.as_view({"get": "retrieve"})
# Wired by hand, so the history of payments (short, read whole) passes pagination_class=None
# itself; otherwise the schema would promise a page that the view never returns.
repayments = api.LoanViewSet.as_view({"get": "repayments", "post": "repay"}, pagination_class=None)
repayment_reverse = api.LoanViewSet.as_view({"post": "reverse"})
payout = api.LoanViewSet.as_view({"post": "payout"})
payout_confirm = api.LoanViewSet.as_view({"post": "payout_confirm"})
payout_reject = api.LoanViewSet.as_view({"post": "payout_reject"})
write_off = api.LoanViewSet.as_view({"post": "write_off"})
reschedule = api.LoanViewSet.as_view({"post": "reschedule"})
recompute_arrears = api.LoanViewSet.as_view({"post": "recompute_arrears"})
schedule_xlsx = api.LoanViewSet.as_view({"get": "schedule_xlsx"})
ledger_xlsx = api.LoanViewSet.as_view({"get": "ledger_xlsx"})
loan_matches = api_matching.LoanMatchView.as_view()

urlpatterns = [
    path("loans/", loans, name="api-loan-list"),
    path("loans/portfolio/", portfolio, name="api-loan-portfolio"),
    path("loans/arrears/recompute/", recompute_arrears, name="api-loan-arrears-recompute"),
    path("loans/<int:pk>/", loan, name="api-loan-detail"),
    path("loans/<int:pk>/repayments/", repayments, name="api-loan-repayments"),
    path(
        "loans/<int:pk>/repayments/<int:repayment_pk>/reverse/",
        repayment_reverse,
        name="api-loan-repayment-reverse",
    ),
    path("loans/<int:pk>/payout/", payout, name="api-loan-payout"),
    path("loans/<int:pk>/payout/confirm/", payout_confirm, name="api-loan-payout-confirm"),
    path("loans/<int:pk>/payout/reject/", payout_reject, name="api-loan-payout-reject"),
    path("loans/<int:pk>/write-off/", write_off, name="api-loan-write-off"),
    path("loans/<int:pk>/reschedule/", reschedule, name="api-loan-reschedule"),
    path("loans/<int:pk>/schedule.xlsx", schedule_xlsx, name="api-loan-schedule-xlsx"),
    path("loans/<int:pk>/ledger.xlsx", ledger_xlsx, name="api-loan-ledger-xlsx"),
    path("cooperatives/<int:pk>/loan-matches/", loan_matches, name="api-loan-matches"),
]
