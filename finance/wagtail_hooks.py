"""The shared chart of accounts in the Wagtail admin: the provincial admin (form admins) and
superusers keep the accounts every cooperative posts to. A cooperative's own sub-accounts are
kept in the portal and never listed here.

An account the books already use keeps its code and its type (every statement and every
cooperative's sub-account codes hang on them), and it is never deleted: it is retired by
unticking “in use”."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cooperatives.enums import Role
from cooperatives.models import BusinessUnit
from cooperatives.scoping import user_has_role

from .models import Account, AccountMapping, JournalLine
from .views.books_forms import unit_names

# What the books hang on an account: once any of these exists, its code and type stay.
LOCKED_WHEN_USED = ("code", "type")


def shared_accounts() -> QuerySet[Account]:
    return Account.objects.filter(cooperative__isnull=True)


def account_has_lines(account: Account) -> bool:
    return JournalLine.objects.filter(account=account).exists()


def account_in_use(account: Account) -> bool:
    """Posted to, or carrying sub-accounts: its code and type may not change."""
    return account_has_lines(account) or Account.objects.filter(parent=account).exists()


def account_deletable(account: Account) -> bool:
    """Nothing refers to it: no lines, no sub-accounts, no remembered cash-book name."""
    return not (account_in_use(account) or AccountMapping.objects.filter(account=account).exists())


class ChartPermissionPolicy(ModelPermissionPolicy):
    """Superusers and form admins keep the shared chart (others only through explicit model
    permissions); nobody deletes an account that anything refers to."""

    def _keeps_chart(self, user: Any) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        return bool(user.is_superuser or user_has_role(user, Role.FORM_ADMIN))

    def user_has_permission(self, user: Any, action: str) -> bool:
        return self._keeps_chart(user) or super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return self._keeps_chart(user) or super().user_has_any_permission(user, actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if action == "delete" and not account_deletable(instance):
            return False
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions: Any) -> Any:
        with_permission = super().users_with_any_permission(actions)
        return (
            get_user_model()
            .objects.filter(
                Q(pk__in=with_permission.values("pk"))
                | Q(is_active=True, is_superuser=True)
                | Q(is_active=True, role_grants__role=Role.FORM_ADMIN)
            )
            .distinct()
        )


register_permission_policy(Account, ChartPermissionPolicy(Account))


class SharedAccountForm(WagtailAdminModelForm):
    business_unit = forms.ChoiceField(
        label=_("business unit"),
        required=False,
        help_text=_("The unit whose revenue, expenses or stock this account holds."),
    )

    class Meta:
        model = Account
        fields = [
            "code",
            "name",
            "name_en",
            "type",
            "business_unit",
            "is_cash",
            "cash_flow",
            "control",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = unit_names()
        current = self.instance.business_unit
        if current and current not in units:
            units[current] = current
        unit = self.fields["business_unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("", _("None (the whole cooperative)")), *units.items()]
        self.in_use = bool(self.instance.pk) and account_in_use(self.instance)
        if self.in_use:
            for name in LOCKED_WHEN_USED:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fixed: the books already use this account (journal lines or sub-accounts)."
                )

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        if self.in_use and code != self.instance.code:
            raise forms.ValidationError(
                _("The books already use this account; its code cannot change."),
                code="code_in_use",
            )
        if "." in code:
            raise forms.ValidationError(
                _("Codes with a dot belong to the cooperatives' sub-accounts (1-102.01)."),
                code="code_dot",
            )
        if Account.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Another account has the code %(code)s."),
                code="code_taken",
                params={"code": code},
            )
        return code

    def save(self, commit: bool = True) -> Account:
        account = super().save(commit=False)
        account.cooperative = None
        account.parent = None
        if commit:
            account.save()
        return account


def _listed(queryset: QuerySet[Account]) -> QuerySet[Account]:
    units = BusinessUnit.objects.filter(code=OuterRef("business_unit")).values("name")[:1]
    return queryset.annotate(
        posted=Exists(JournalLine.objects.filter(account=OuterRef("pk"))),
        unit_name=Coalesce(Subquery(units), "business_unit"),
    )


class SharedAccountIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Account]:
        return _listed(shared_accounts())

    def get_delete_url(self, instance: Account) -> str | None:
        if getattr(instance, "posted", False) or not account_deletable(instance):
            return None
        return super().get_delete_url(instance)


class SharedAccountEditView(generic.EditView):
    def get_queryset(self) -> QuerySet[Account]:
        return shared_accounts()


class SharedAccountDeleteView(generic.DeleteView):
    """Deletes only an account nothing refers to; otherwise says how to retire it."""

    def get_queryset(self) -> QuerySet[Account]:
        return shared_accounts()

    def _refuse_if_used(self, request: HttpRequest) -> HttpResponse | None:
        if account_deletable(self.object):
            return None
        messages.error(
            request,
            _(
                "%(account)s is used by the books and cannot be deleted. Untick “in use” to "
                "retire it."
            )
            % {"account": self.object},
        )
        return redirect(self.edit_url_name, self.object.pk)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_if_used(request) or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_if_used(request) or super().post(request, *args, **kwargs)


class SharedAccountViewSet(ModelViewSet):
    """The shared chart: what every cooperative posts to."""

    model = Account
    icon = "list-ol"
    menu_label = _("Chart of accounts")
    menu_order = 220
    add_to_admin_menu = True
    copy_view_enabled = False
    index_view_class = SharedAccountIndexView
    edit_view_class = SharedAccountEditView
    delete_view_class = SharedAccountDeleteView
    list_display = [
        "code",
        "name",
        "type",
        Column("unit_name", label=_("business unit")),
        "control",
        BooleanColumn("is_active", label=_("in use")),
        BooleanColumn("posted", label=_("has journal lines")),
    ]
    list_filter = ["type", "control", "is_active", "is_cash", "cash_flow"]
    search_fields = ["code", "name", "name_en"]
    list_per_page = 100
    form_fields = list(SharedAccountForm.Meta.fields)

    def get_form_class(self, for_update: bool = False) -> type[SharedAccountForm]:
        return SharedAccountForm


@hooks.register("register_admin_viewset")
def register_chart() -> SharedAccountViewSet:
    return SharedAccountViewSet("chart_accounts")
