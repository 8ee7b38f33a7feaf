"""Reads of regions, cooperatives and members for the portal.

Every queryset of cooperative-owned rows starts from `cooperatives.scoping`; the selectors here
only narrow what the scoping function already allowed.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from .enums import OFFICER_ROLES, MemberStatus, RegionLevel
from .models import (
    Cooperative,
    CooperativeStatusChange,
    CooperativeVillage,
    Member,
    Region,
)
from .scoping import get_in_scope_or_404, scope_queryset, user_scope, visible_cooperatives


def user_is_officer(*, user: Any) -> bool:
    """Officers (and superusers) see cross-cooperative signals such as duplicate NIKs."""
    return bool(user.is_superuser or user_scope(user).roles & OFFICER_ROLES)


# --- Regions that hold visible cooperatives ------------------------------------------------


def _visible_links(*, user: Any) -> QuerySet[CooperativeVillage]:
    return scope_queryset(CooperativeVillage.objects.all(), user, via="cooperative")


def visible_regencies(*, user: Any) -> QuerySet[Region]:
    """Regencies/cities that contain at least one cooperative the user may see."""
    codes = _visible_links(user=user).values("regency_code")
    return Region.objects.filter(level=RegionLevel.REGENCY, code__in=codes).order_by("name")


def visible_districts(*, user: Any, regency_code: str = "") -> QuerySet[Region]:
    """Districts (kecamatan) that contain at least one visible cooperative, optionally within
    one regency."""
    links = _visible_links(user=user)
    if regency_code:
        links = links.filter(regency_code=regency_code)
    return Region.objects.filter(
        level=RegionLevel.DISTRICT, code__in=links.values("district_code")
    ).order_by("name")


# --- Cooperatives --------------------------------------------------------------------------


def _links_with_places() -> Prefetch:
    """Each link with its village, the village's kecamatan and the kecamatan's kabupaten/kota,
    in one query for a whole page of cooperatives."""
    return Prefetch(
        "village_links",
        queryset=CooperativeVillage.objects.select_related("village__parent__parent").order_by(
            "village__name"
        ),
    )


def _with_details(cooperatives: QuerySet[Cooperative]) -> QuerySet[Cooperative]:
    """What the portal and the API show of a cooperative, in a constant number of queries."""
    return (
        cooperatives.select_related("home_village__parent__parent")
        .prefetch_related(
            _links_with_places(),
            Prefetch("villages", queryset=Region.objects.order_by("code")),
            "business_units",
        )
        .annotate(
            member_count=Count("members"),
            active_member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)),
        )
    )


def cooperative_directory(
    *,
    user: Any,
    search: str = "",
    regency_code: str = "",
    district_code: str = "",
    status: str = "",
) -> QuerySet[Cooperative]:
    """Visible cooperatives matching the filters, each with `member_count` and its village links
    (with kecamatan and kabupaten) prefetched: a page costs the same queries for 1 or 80,000
    cooperatives."""
    cooperatives = visible_cooperatives(user)
    if search:
        cooperatives = cooperatives.filter(name__icontains=search)
    if regency_code or district_code:
        links = CooperativeVillage.objects.all()
        if regency_code:
            links = links.filter(regency_code=regency_code)
        if district_code:
            links = links.filter(district_code=district_code)
        cooperatives = cooperatives.filter(pk__in=links.values("cooperative_id"))
    if status:
        cooperatives = cooperatives.filter(status=status)
    return _with_details(cooperatives).order_by("name", "id")


def cooperative_get(*, user: Any, pk: Any) -> Cooperative:
    """One visible cooperative with its villages and business units; Http404 outside scope."""
    return get_in_scope_or_404(_with_details(Cooperative.objects.all()), user, via="", pk=pk)


def cooperative_status_history(*, cooperative: Cooperative) -> QuerySet[CooperativeStatusChange]:
    """The cooperative's status changes, oldest first, with who made each."""
    return cooperative.status_changes.select_related("changed_by").order_by("created_at", "id")


@dataclass(frozen=True)
class MemberCounts:
    total: int
    active: int
    female: int
    male: int


def cooperative_member_counts(*, user: Any, cooperative: Cooperative) -> MemberCounts:
    """Member counts of one cooperative in a single aggregate query."""
    members = scope_queryset(Member.objects.filter(cooperative=cooperative), user)
    counts = members.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=MemberStatus.ACTIVE)),
        female=Count("id", filter=Q(sex="P")),
        male=Count("id", filter=Q(sex="L")),
    )
    return MemberCounts(**counts)


# --- Members -------------------------------------------------------------------------------


def _nik_elsewhere() -> Exists:
    # Deliberately not scoped: a person may be a member of only one KDMP, and the officer must
    # learn of a duplicate even when the other cooperative lies outside their own scope. Only
    # yes/no leaves the query, never which cooperative, and only officers are shown it.
    return Exists(
        Member.objects.filter(nik=OuterRef("nik")).exclude(cooperative=OuterRef("cooperative"))
    )


def member_list(
    *,
    user: Any,
    cooperative: Cooperative,
    search: str = "",
    status: str = "",
    flag_duplicates: bool = False,
) -> QuerySet[Member]:
    """Members of one (already scope-checked) cooperative, filtered by name or NIK and status.

    With `flag_duplicates`, each member carries `nik_elsewhere`: the NIK is also registered in
    another cooperative.
    """
    members = scope_queryset(Member.objects.filter(cooperative=cooperative), user).select_related(
        "village"
    )
    search = search.strip()
    if search:
        digits = search.replace(" ", "")
        condition = Q(name__icontains=search)
        if digits.isdigit():
            condition |= Q(nik__contains=digits)
        members = members.filter(condition)
    if status:
        members = members.filter(status=status)
    if flag_duplicates:
        members = members.annotate(nik_elsewhere=_nik_elsewhere())
    return members.order_by("name", "id")


def member_get(
    *, user: Any, cooperative: Cooperative, pk: Any, flag_duplicates: bool = False
) -> Member:
    """One member of `cooperative`; Http404 when the member belongs to another cooperative or
    lies outside the user's scope."""
    members = Member.objects.filter(cooperative=cooperative).select_related(
        "village__parent__parent", "import_run"
    )
    if flag_duplicates:
        members = members.annotate(nik_elsewhere=_nik_elsewhere())
    return get_in_scope_or_404(members, user, pk=pk)


def cooperative_of_village(*, code: str) -> Cooperative | None:
    """The cooperative covering the village with this code (a village has at most one), as the
    command line names a cooperative."""
    link = CooperativeVillage.objects.select_related("cooperative").filter(village_id=code).first()
    return link.cooperative if link else None
