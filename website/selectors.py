"""The figures of the portal home. Every count starts from `cooperatives.scoping`, and each is a
single aggregate query, so the home costs the same number of queries for a village operator and
for the province with 80,000 cooperatives."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from cooperatives.enums import CooperativeStatus, MemberStatus, RegionLevel
from cooperatives.models import Cooperative, CooperativeVillage, Member, Region, RoleGrant
from cooperatives.scoping import scope_queryset, user_scope, visible_cooperatives

from .models import HomePage

ACTIVE_MEMBER = Q(members__status=MemberStatus.ACTIVE)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class BreakdownRow:
    """One child region of the officer's scope (or one cooperative for a district officer)."""

    label: str
    cooperatives: int
    active: int
    members: int
    active_members: int
    region: Region | None = None
    cooperative: Cooperative | None = None


@dataclass(frozen=True)
class Breakdown:
    # RegionLevel.REGENCY or RegionLevel.DISTRICT rows, or "cooperative" rows.
    level: str
    rows: list[BreakdownRow]


@dataclass(frozen=True)
class HomeFigures:
    has_access: bool
    statuses: list[StatusCount]
    total_cooperatives: int
    total_members: int
    active_members: int
    breakdown: Breakdown | None = None
    own_cooperatives: list[Cooperative] = field(default_factory=list)

    @property
    def active_cooperatives(self) -> int:
        return sum(s.count for s in self.statuses if s.status == CooperativeStatus.ACTIVE)


def role_grants_for_user(*, user: Any) -> QuerySet[RoleGrant]:
    """The user's own grants with what their scope labels need."""
    return (
        RoleGrant.objects.filter(user=user)
        .select_related("region", "cooperative")
        .order_by("role", "region_id", "cooperative__name")
    )


def home_announcement() -> str:
    """The announcement of the live home page ("" when there is none)."""
    return (
        HomePage.objects.live()
        .exclude(announcement="")
        .values_list("announcement", flat=True)
        .first()
        or ""
    )


def _status_counts(cooperatives: QuerySet[Cooperative]) -> list[StatusCount]:
    counts = dict(cooperatives.order_by().values_list("status").annotate(n=Count("id")))
    return [
        StatusCount(status=status.value, label=str(status.label), count=counts.get(status, 0))
        for status in CooperativeStatus
    ]


def _region_breakdown(*, user: Any, level: str, parents: frozenset[str]) -> Breakdown:
    """Cooperatives and members per regency (level REGENCY) or per district (level DISTRICT)
    of the home village: three aggregate queries whatever the number of cooperatives."""
    key = "regency_code" if level == RegionLevel.REGENCY else "district_code"
    per_region = {
        row[f"home_village__{key}"]: row
        for row in visible_cooperatives(user)
        .order_by()
        .values(f"home_village__{key}")
        .annotate(
            cooperatives=Count("id"),
            active=Count("id", filter=Q(status=CooperativeStatus.ACTIVE)),
        )
    }
    members = {
        row[f"cooperative__home_village__{key}"]: row
        for row in scope_queryset(Member.objects.all(), user)
        .order_by()
        .values(f"cooperative__home_village__{key}")
        .annotate(
            members=Count("id"),
            active_members=Count("id", filter=Q(status=MemberStatus.ACTIVE)),
        )
    }
    # Every child region of the officer's scope, also those still without a cooperative, plus
    # the home region of any visible cooperative lying outside it (one that is in scope only
    # through its second village), so that the rows always add up to the totals.
    children = Q(level=level)
    if level == RegionLevel.DISTRICT:
        children &= Q(regency_code__in=parents)
    regions = Region.objects.filter(children | Q(code__in=list(per_region))).order_by("name")
    rows = []
    for region in regions:
        coops = per_region.get(region.code, {})
        people = members.get(region.code, {})
        rows.append(
            BreakdownRow(
                label=region.name,
                region=region,
                cooperatives=coops.get("cooperatives", 0),
                active=coops.get("active", 0),
                members=people.get("members", 0),
                active_members=people.get("active_members", 0),
            )
        )
    return Breakdown(level=level, rows=rows)


def _cooperative_breakdown(*, user: Any) -> Breakdown:
    cooperatives = (
        visible_cooperatives(user)
        .select_related("home_village")
        .annotate(
            members_total=Count("members"), members_active=Count("members", filter=ACTIVE_MEMBER)
        )
        .order_by("name", "id")
    )
    rows = [
        BreakdownRow(
            label=cooperative.name,
            cooperative=cooperative,
            cooperatives=1,
            active=int(cooperative.status == CooperativeStatus.ACTIVE),
            members=cooperative.members_total,
            active_members=cooperative.members_active,
        )
        for cooperative in cooperatives
    ]
    return Breakdown(level="cooperative", rows=rows)


def _own_cooperatives(*, user: Any) -> list[Cooperative]:
    """The cooperatives granted to the user directly (or through their village): what an
    operator, pengawas or loan officer works on."""
    scope = user_scope(user)
    own = Q(pk__in=scope.cooperative_ids)
    if scope.village_codes:
        own |= Q(
            pk__in=CooperativeVillage.objects.filter(village_id__in=scope.village_codes).values(
                "cooperative_id"
            )
        )
    return list(
        visible_cooperatives(user)
        .filter(own)
        .select_related("home_village__parent__parent")
        .annotate(
            members_total=Count("members"), members_active=Count("members", filter=ACTIVE_MEMBER)
        )
        .order_by("name", "id")
    )


def home_figures(*, user: Any) -> HomeFigures:
    """Everything the home page shows about the user's scope."""
    scope = user_scope(user)
    if scope.nothing:
        return HomeFigures(
            has_access=False, statuses=[], total_cooperatives=0, total_members=0, active_members=0
        )
    cooperatives = visible_cooperatives(user)
    statuses = _status_counts(cooperatives)
    members = scope_queryset(Member.objects.all(), user).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=MemberStatus.ACTIVE))
    )
    breakdown = None
    if scope.everything:
        breakdown = _region_breakdown(user=user, level=RegionLevel.REGENCY, parents=frozenset())
    elif scope.regency_codes:
        breakdown = _region_breakdown(
            user=user, level=RegionLevel.DISTRICT, parents=scope.regency_codes
        )
    elif scope.district_codes:
        breakdown = _cooperative_breakdown(user=user)
    own = _own_cooperatives(user=user) if scope.cooperative_ids or scope.village_codes else []
    return HomeFigures(
        has_access=True,
        statuses=statuses,
        total_cooperatives=sum(s.count for s in statuses),
        total_members=members["total"],
        active_members=members["active"],
        breakdown=breakdown,
        own_cooperatives=own,
    )
