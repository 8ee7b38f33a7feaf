"""REST serializers for /api/v1/: read-only shapes of regions, cooperatives, members and the
signed-in user, plus the query-parameter serializers that validate list filters.

Serializers only shape data; what a user may see is decided by cooperatives.scoping before a
queryset ever reaches them.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings

from .enums import CooperativeStatus, MemberStatus, RegionLevel
from .models import BusinessUnit, Cooperative, Member, Region, RoleGrant

REGENCY_CODE_RE = r"^\d{2}\.\d{2}$"
DISTRICT_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}$"
REGION_CODE_RE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"

# --- Regions -------------------------------------------------------------------------------


class RegionRefSerializer(serializers.ModelSerializer):
    """A region named by its official code, as it appears inside other objects."""

    class Meta:
        model = Region
        fields = ["code", "name"]
        read_only_fields = fields


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "kind"]
        read_only_fields = fields


class RegionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "kind", "kind_label", "parent"]
        read_only_fields = fields
        extra_kwargs = {
            "parent": {"help_text": _("Code of the region one level up; null for the province.")}
        }


class RegionFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=RegionLevel.choices, required=False, help_text=_("Only regions of this level.")
    )
    # The stubs type Field.parent (the enclosing serializer); DRF pops declared fields off the
    # class, so a field may be called "parent".
    parent = serializers.RegexField(  # type: ignore[assignment]
        REGION_CODE_RE,
        required=False,
        help_text=_("Only the regions directly below this region code, e.g. 64.02."),
    )


# --- Cooperatives --------------------------------------------------------------------------


class BusinessUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessUnit
        fields = ["code", "name"]
        read_only_fields = fields


class CooperativeSerializer(serializers.ModelSerializer):
    """A cooperative: where it is, its legal identity, its business units and member counts."""

    # Expects the rows of cooperatives.api.cooperative_list / cooperative_get: villages and
    # business units prefetched, home village's district and regency joined, counts annotated.

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    home_village = serializers.CharField(
        source="home_village_id", read_only=True, help_text=_("Code of the home village.")
    )
    villages = VillageSerializer(many=True, read_only=True)
    district = RegionRefSerializer(source="home_village.parent", read_only=True)
    regency = RegionRefSerializer(source="home_village.parent.parent", read_only=True)
    business_units = BusinessUnitSerializer(many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    active_member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cooperative
        fields = [
            "id",
            "name",
            "status",
            "status_label",
            "status_changed_at",
            "home_village",
            "villages",
            "district",
            "regency",
            "nik_koperasi",
            "legal_entity_number",
            "legal_entity_date",
            "npwp",
            "nib",
            "business_units",
            "member_count",
            "active_member_count",
        ]
        read_only_fields = fields


class CooperativeFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, max_length=100, help_text=_("Part of the cooperative's name.")
    )
    status = serializers.ChoiceField(choices=CooperativeStatus.choices, required=False)
    regency = serializers.RegexField(
        REGENCY_CODE_RE,
        required=False,
        help_text=_("Regency/city code, e.g. 64.02: cooperatives with a village there."),
    )
    district = serializers.RegexField(
        DISTRICT_CODE_RE,
        required=False,
        help_text=_("District (kecamatan) code, e.g. 64.02.16: cooperatives with a village there."),
    )


# --- Members -------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    """A member (anggota) of one cooperative. `nik_elsewhere` is given to officers only."""

    # The field is dropped unless the context sets `show_nik_elsewhere` (the view does so for
    # officers), so cooperative staff never receive it, not even as null.

    sex_label = serializers.CharField(source="get_sex_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    village = serializers.CharField(
        source="village_id", read_only=True, allow_null=True, help_text=_("Village code.")
    )
    # Not read_only on purpose: the field is optional in the schema because staff never see it
    # (drf-spectacular lists every read-only field as required). Nothing writes through it.
    nik_elsewhere = serializers.BooleanField(
        required=False,
        help_text=_(
            "The same NIK is also registered in another cooperative. Shown to officers only."
        ),
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "cooperative",
            "nik",
            "name",
            "sex",
            "sex_label",
            "birth_place",
            "birth_date",
            "address",
            "rt",
            "rw",
            "village",
            "phone",
            "join_date",
            "status",
            "status_label",
            "nik_elsewhere",
        ]
        read_only_fields = [name for name in fields if name != "nik_elsewhere"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if not self.context.get("show_nik_elsewhere", False):
            fields.pop("nik_elsewhere")
        return fields


class MemberFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, max_length=100, help_text=_("Part of the member's name or NIK.")
    )
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False)


# --- The signed-in user and API tokens -----------------------------------------------------


class RoleGrantSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    scope_label = serializers.CharField(read_only=True)
    scope_type = serializers.SerializerMethodField(
        help_text=_('"region" or "cooperative": what the role is granted on.')
    )
    region_code = serializers.CharField(source="region_id", read_only=True, allow_null=True)
    cooperative_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RoleGrant
        fields = [
            "role",
            "role_label",
            "scope_type",
            "scope_label",
            "region_code",
            "cooperative_id",
        ]
        read_only_fields = fields

    def get_scope_type(self, grant: RoleGrant) -> str:
        return "cooperative" if grant.cooperative_id else "region"


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    language = serializers.CharField(
        read_only=True, help_text=_("The user's interface language (id or en).")
    )
    is_officer = serializers.BooleanField(read_only=True)
    role_grants = RoleGrantSerializer(many=True, read_only=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=_('Send as the header "Authorization: Token <token>".')
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


def field_errors(name: str, *fields: str) -> OpenApiResponse:
    """A 400 body as DRF writes it: messages by field, the rest under non_field_errors."""
    return OpenApiResponse(
        inline_serializer(
            name,
            {
                field: serializers.ListField(child=serializers.CharField(), required=False)
                for field in [*fields, api_settings.NON_FIELD_ERRORS_KEY]
            },
        ),
        description=_("A value is missing or not valid; the messages are by field."),
    )
