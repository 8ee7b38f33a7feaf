"""The cooperative registry in the Wagtail admin: declarative viewsets whose writes go through
the services, so admin edits obey the same rules as the portal and the API."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import BusinessUnit, Cooperative, Region, RoleGrant
from .services import role_grant_create, role_grant_revoke


class RestrictedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions minus the actions that must go through a service instead of a bare model
    form (cooperatives change through their lifecycle, regions through load_regions)."""

    def __init__(self, model: Any, *, denied: frozenset[str]) -> None:
        super().__init__(model)
        self.denied = denied

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in self.denied:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


READ_ONLY = frozenset({"add", "change", "delete"})
register_permission_policy(Cooperative, RestrictedPermissionPolicy(Cooperative, denied=READ_ONLY))
register_permission_policy(Region, RestrictedPermissionPolicy(Region, denied=READ_ONLY))
# Grants are added or revoked, never edited in place (revoke and grant again).
register_permission_policy(
    RoleGrant, RestrictedPermissionPolicy(RoleGrant, denied=frozenset({"change"}))
)


class CooperativeViewSet(ModelViewSet):
    model = Cooperative
    icon = "group"
    menu_label = _("Cooperatives")
    list_display = ["name", "home_village", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name", "nik_koperasi", "npwp", "nib"]
    inspect_view_enabled = True
    form_fields = ["name"]  # required by ModelViewSet; the policy never opens the form


class RegionViewSet(ModelViewSet):
    model = Region
    icon = "site"
    menu_label = _("Regions")
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    inspect_view_enabled = True
    form_fields = ["name"]  # required by ModelViewSet; the policy never opens the form


class BusinessUnitViewSet(ModelViewSet):
    model = BusinessUnit
    icon = "tag"
    menu_label = _("Business units")
    list_display = ["name", "code", "sort_order"]
    form_fields = ["code", "name", "sort_order"]


class RoleGrantForm(WagtailAdminModelForm):
    class Meta:
        model = RoleGrant
        fields = ["user", "role", "region", "cooperative"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("region")) == bool(cleaned.get("cooperative")):
            raise forms.ValidationError(_("Choose either a region or a cooperative, not both."))
        return cleaned


class RoleGrantCreateView(generic.CreateView):
    def save_instance(self) -> RoleGrant:
        data = self.form.cleaned_data
        return role_grant_create(
            user=data["user"],
            role=data["role"],
            region=data.get("region"),
            cooperative=data.get("cooperative"),
            granted_by=self.request.user,
        )


class RoleGrantDeleteView(generic.DeleteView):
    def delete_action(self) -> None:
        role_grant_revoke(grant=self.object)


class RoleGrantViewSet(ModelViewSet):
    """Grants are added or revoked, never edited in place (revoke and grant again)."""

    model = RoleGrant
    icon = "key"
    menu_label = _("Role grants")
    list_display = ["user", "role", "scope_label", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name"]
    form_fields = ["user", "role", "region", "cooperative"]
    add_view_class = RoleGrantCreateView
    delete_view_class = RoleGrantDeleteView

    def get_form_class(self, for_update: bool = False) -> type[RoleGrantForm]:
        return RoleGrantForm


class CooperativeRegistryGroup(ModelViewSetGroup):
    menu_label = _("Cooperative registry")
    menu_icon = "group"
    menu_order = 200
    items = (CooperativeViewSet, RoleGrantViewSet, BusinessUnitViewSet, RegionViewSet)


@hooks.register("register_admin_viewset")
def register_registry() -> CooperativeRegistryGroup:
    return CooperativeRegistryGroup()
