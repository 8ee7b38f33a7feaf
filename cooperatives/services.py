"""The only writers of regions, cooperatives, members and role grants."""

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import (
    ADMIN_ROLES,
    COOPERATIVE_TRANSITIONS,
    BusinessUnitCode,
    CooperativeStatus,
    MemberStatus,
    RegionLevel,
    Role,
)
from .models import (
    BusinessUnit,
    Cooperative,
    CooperativeStatusChange,
    CooperativeVillage,
    Member,
    Region,
    RoleGrant,
)
from .scoping import forget_scope
from .validators import normalize_digits, normalize_nik, normalize_phone

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "kaltim_regions.csv"
FORM_ADMIN_GROUP = "Pengelola Formulir"


class CooperativeTransitionError(ValidationError):
    """The requested status does not follow the current one in the lifecycle."""


# --- Regions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionLoadResult:
    created: int
    updated: int
    unchanged: int


def regions_load(*, path: Path = REGIONS_CSV) -> RegionLoadResult:
    """Load the official region tree from the committed extract. Idempotent: a second run
    changes nothing and reports every row unchanged."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = {region.code: region for region in Region.objects.all()}
    to_create: list[Region] = []
    to_update: list[Region] = []
    fields = ("name", "level", "kind", "parent_id", "regency_code", "district_code")
    for row in rows:
        parts = row["code"].split(".")
        wanted = {
            "name": row["name"],
            "level": row["level"],
            "kind": row["kind"],
            "parent_id": row["parent_code"] or None,
            "regency_code": ".".join(parts[:2]) if len(parts) >= 2 else "",
            "district_code": ".".join(parts[:3]) if len(parts) >= 3 else "",
        }
        current = existing.get(row["code"])
        if current is None:
            to_create.append(Region(code=row["code"], **wanted))
        elif any(getattr(current, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(current, key, value)
            to_update.append(current)
    with transaction.atomic():
        # Parents come before children in the file, and bulk_create keeps that order.
        Region.objects.bulk_create(to_create, batch_size=500)
        Region.objects.bulk_update(to_update, fields, batch_size=500)
    return RegionLoadResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
    )


# --- Business units ------------------------------------------------------------------------


def business_units_ensure_standard() -> list[BusinessUnit]:
    """Create the seven KDMP business units if missing; never renames an admin's edits."""
    units = []
    for order, choice in enumerate(BusinessUnitCode):
        unit, _created = BusinessUnit.objects.get_or_create(
            code=choice.value,
            defaults={"name": str(choice.label), "sort_order": order * 10, "is_standard": True},
        )
        units.append(unit)
    return units


# --- Cooperatives --------------------------------------------------------------------------


def _clean_legal_ids(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    if "npwp" in cleaned:
        cleaned["npwp"] = normalize_digits(cleaned["npwp"], lengths=(15, 16), label="NPWP")
    if "nib" in cleaned:
        cleaned["nib"] = normalize_digits(cleaned["nib"], lengths=(13,), label="NIB")
    if cleaned.get("phone"):
        cleaned["phone"] = normalize_phone(cleaned["phone"])
    return cleaned


def _link_villages(cooperative: Cooperative, villages: Iterable[Region]) -> None:
    villages = list(villages)
    for village in villages:
        if village.level != RegionLevel.VILLAGE:
            raise ValidationError({"villages": _("%(name)s is not a village.") % {"name": village}})
    taken = (
        CooperativeVillage.objects.filter(village__in=villages)
        .exclude(cooperative=cooperative)
        .select_related("village", "cooperative")
    )
    for link in taken:
        raise ValidationError(
            {
                "villages": _("%(village)s already belongs to %(cooperative)s.")
                % {"village": link.village, "cooperative": link.cooperative}
            }
        )
    CooperativeVillage.objects.filter(cooperative=cooperative).exclude(
        village__in=villages
    ).delete()
    linked = set(
        CooperativeVillage.objects.filter(cooperative=cooperative).values_list(
            "village_id", flat=True
        )
    )
    CooperativeVillage.objects.bulk_create(
        CooperativeVillage(
            cooperative=cooperative,
            village=village,
            regency_code=village.regency_code,
            district_code=village.district_code,
        )
        for village in villages
        if village.code not in linked
    )


@transaction.atomic
def cooperative_create(
    *,
    name: str,
    home_village: Region,
    other_villages: Iterable[Region] = (),
    business_units: Iterable[BusinessUnit] | None = None,
    created_by: Any = None,
    **fields: Any,
) -> Cooperative:
    """Create a cooperative in draft covering `home_village` and `other_villages`.

    Raises ValidationError when a village already has a cooperative or a field is invalid.
    """
    cooperative = Cooperative(name=name, home_village=home_village, **_clean_legal_ids(fields))
    cooperative.full_clean()
    cooperative.save()
    _link_villages(cooperative, [home_village, *other_villages])
    cooperative.business_units.set(
        business_units if business_units is not None else business_units_ensure_standard()
    )
    CooperativeStatusChange.objects.create(
        cooperative=cooperative,
        from_status="",
        to_status=cooperative.status,
        changed_by=created_by,
    )
    return cooperative


@transaction.atomic
def cooperative_update(*, cooperative: Cooperative, **fields: Any) -> Cooperative:
    """Change a cooperative's identity and legal fields (never its status)."""
    if "status" in fields:
        raise ValidationError(_("Use cooperative_transition to change the status."))
    for key, value in _clean_legal_ids(fields).items():
        setattr(cooperative, key, value)
    cooperative.full_clean()
    cooperative.save(update_fields=[*fields.keys(), "updated_at"])
    return cooperative


@transaction.atomic
def cooperative_transition(
    *, cooperative: Cooperative, to_status: CooperativeStatus | str, by: Any = None, note: str = ""
) -> Cooperative:
    """Move a cooperative along its lifecycle and record the change.

    Raises CooperativeTransitionError if `to_status` does not follow the current status.
    """
    # Lock the row: two officers registering and suspending at once must not both read "active".
    locked = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    if to_status not in COOPERATIVE_TRANSITIONS[locked.status]:
        raise CooperativeTransitionError(
            _("A cooperative that is %(current)s cannot become %(target)s.")
            % {
                "current": locked.get_status_display().lower(),
                "target": CooperativeStatus(to_status).label.lower(),
            },
            code="invalid_transition",
        )
    from_status = locked.status
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    CooperativeStatusChange.objects.create(
        cooperative=locked, from_status=from_status, to_status=to_status, changed_by=by, note=note
    )
    cooperative.status = locked.status
    cooperative.status_changed_at = locked.status_changed_at
    return cooperative


def cooperative_lifecycle_path(
    from_status: CooperativeStatus | str, to_status: CooperativeStatus | str
) -> list[CooperativeStatus]:
    """The shortest sequence of allowed transitions from one status to another ([] if equal).

    Raises CooperativeTransitionError when the lifecycle offers no way there.
    """
    paths: dict[str, list[CooperativeStatus]] = {str(from_status): []}
    queue = [str(from_status)]
    while queue:
        current = queue.pop(0)
        if current == to_status:
            return paths[current]
        for following in sorted(COOPERATIVE_TRANSITIONS[current]):
            if following not in paths:
                paths[following] = [*paths[current], CooperativeStatus(following)]
                queue.append(following)
    raise CooperativeTransitionError(
        _("A cooperative that is %(current)s can never become %(target)s.")
        % {
            "current": CooperativeStatus(from_status).label.lower(),
            "target": CooperativeStatus(to_status).label.lower(),
        },
        code="unreachable_status",
    )


def cooperative_advance_to(
    *, cooperative: Cooperative, to_status: CooperativeStatus | str, by: Any = None, note: str = ""
) -> Cooperative:
    """Walk the lifecycle to `to_status`, one audited transition at a time (demo data, tests and
    bulk registrations use it; each step is the same `cooperative_transition` a person makes)."""
    for step in cooperative_lifecycle_path(cooperative.status, to_status):
        cooperative_transition(cooperative=cooperative, to_status=step, by=by, note=note)
    return cooperative


# --- Members -------------------------------------------------------------------------------


def _clean_member_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "nik" in cleaned:
        cleaned["nik"] = normalize_nik(cleaned["nik"])
    if cleaned.get("phone"):
        cleaned["phone"] = normalize_phone(cleaned["phone"])
    return cleaned


@transaction.atomic
def member_create(
    *,
    cooperative: Cooperative,
    nik: str,
    name: str,
    sex: str,
    join_date: datetime.date,
    **fields: Any,
) -> Member:
    """Register a member. Raises ValidationError for a bad NIK/phone or a NIK already in use in
    this cooperative (the same NIK in another cooperative is allowed and flagged to officers)."""
    data = _clean_member_fields({"nik": nik, "phone": fields.pop("phone", ""), **fields})
    if Member.objects.filter(cooperative=cooperative, nik=data["nik"]).exists():
        raise ValidationError(
            {"nik": _("A member with this NIK is already registered in this cooperative.")},
            code="nik_duplicate",
        )
    member = Member(
        cooperative=cooperative, name=name.strip(), sex=sex, join_date=join_date, **data
    )
    member.full_clean(validate_unique=False)
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, **fields: Any) -> Member:
    data = _clean_member_fields(fields)
    if (
        "nik" in data
        and Member.objects.filter(cooperative=member.cooperative_id, nik=data["nik"])
        .exclude(pk=member.pk)
        .exists()
    ):
        raise ValidationError(
            {"nik": _("A member with this NIK is already registered in this cooperative.")},
            code="nik_duplicate",
        )
    for key, value in data.items():
        setattr(member, key, value)
    member.full_clean(validate_unique=False)
    member.save(update_fields=[*data.keys(), "updated_at"])
    return member


def member_set_status(*, member: Member, status: MemberStatus | str) -> Member:
    member.status = MemberStatus(status)
    member.save(update_fields=["status", "updated_at"])
    return member


# --- Role grants ---------------------------------------------------------------------------


@transaction.atomic
def role_grant_create(
    *,
    user: Any,
    role: Role | str,
    region: Region | None = None,
    cooperative: Cooperative | None = None,
    granted_by: Any = None,
) -> RoleGrant:
    """Grant `role` on a region node or a cooperative. Idempotent for the same triple.

    Admin roles also join the Wagtail admin group; cooperative staff roles must be granted on a
    cooperative or a village, never a whole region.
    """
    role = Role(role)
    if (region is None) == (cooperative is None):
        raise ValidationError(_("A role is granted on exactly one region or one cooperative."))
    if role in {Role.OPERATOR, Role.PENGAWAS} and region is not None:
        raise ValidationError(_("Operators and pengawas are granted on one cooperative."))
    if (
        role == Role.DISTRICT_OFFICER
        and region is not None
        and region.level != RegionLevel.DISTRICT
    ):
        raise ValidationError(_("A district officer is granted on a district (kecamatan)."))
    if role == Role.REGENCY_OFFICER and region is not None and region.level != RegionLevel.REGENCY:
        raise ValidationError(_("A regency officer is granted on a regency or city."))
    if role in {Role.PROVINCE_OFFICER, Role.FORM_ADMIN} and (
        region is None or region.level != RegionLevel.PROVINCE
    ):
        raise ValidationError(_("This role is granted on the province."))
    grant, _created = RoleGrant.objects.get_or_create(
        user=user,
        role=role,
        region=region,
        cooperative=cooperative,
        defaults={"granted_by": granted_by},
    )
    if role in ADMIN_ROLES:
        user.groups.add(form_admin_group())
    forget_scope(user)
    return grant


@transaction.atomic
def role_grant_revoke(*, grant: RoleGrant) -> None:
    user = grant.user
    role = grant.role
    grant.delete()
    if (
        role in ADMIN_ROLES
        and not RoleGrant.objects.filter(user=user, role__in=ADMIN_ROLES).exists()
    ):
        user.groups.remove(form_admin_group())
    forget_scope(user)


def form_admin_group() -> Group:
    """The group whose members may use the Wagtail admin: open it, compose approval workflows
    and their steps, and manage business units. (Their rights on the form pages themselves are
    page permissions on the form index, given by `forms.demo.ensure_form_index`.)"""
    group, _created = Group.objects.get_or_create(name=FORM_ADMIN_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(
                content_type__app_label="wagtailcore",
                codename__in=["add_workflow", "change_workflow", "add_task", "change_task"],
            )
            | Q(
                content_type__app_label="cooperatives",
                codename__in=[
                    "view_cooperative",
                    "view_region",
                    "add_businessunit",
                    "change_businessunit",
                    "view_businessunit",
                ],
            )
        )
    )
    return group
