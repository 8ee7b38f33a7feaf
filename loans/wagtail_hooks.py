"""Loan products in the Wagtail admin (Settings-like, beside the cooperative registry)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import LoanProduct


class LoanProductViewSet(ModelViewSet):
    model = LoanProduct
    icon = "doc-full"
    menu_label = _("Loan products")
    menu_order = 210
    add_to_admin_menu = True
    list_display = [
        "name",
        "code",
        "kind",
        "interest_method",
        "rate_percent",
        "rate_period",
        "is_active",
    ]
    list_filter = ["kind", "interest_method", "is_active"]
    search_fields = ["name", "code"]
    form_fields = [
        "code",
        "name",
        "description",
        "kind",
        "is_active",
        "min_amount",
        "max_amount",
        "min_tenor_months",
        "max_tenor_months",
        "rate_percent",
        "rate_period",
        "interest_method",
        "admin_fee",
        "grace_kind",
        "min_grace_months",
        "max_grace_months",
        "penalty_percent_per_month",
        "penalty_free_days",
        "required_documents",
        "application_form",
        "approval_workflow",
    ]


@hooks.register("register_admin_viewset")
def register_loan_products() -> LoanProductViewSet:
    return LoanProductViewSet("loan_products")
