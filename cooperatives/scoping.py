"""The one place that decides which cooperatives a user may see.

Every query of cooperative-owned data goes through `scope_queryset`; views, the API, exports and
jobs never filter by tenant themselves. The tenant always comes from the signed-in user.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from .enums import RegionLevel, Role
from .models import Cooperative, CooperativeVillage, RoleGrant

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_kopdes_scope"


@dataclass(frozen=True)
class Scope:
    """What one user may see, computed once per request from their role grants."""

    everything: bool
    cooperative_ids: frozenset[int]
    regency_codes: frozenset[str]
    district_codes: frozenset[str]
    village_codes: frozenset[str]
    roles: frozenset[str]

    @property
    def nothing(self) -> bool:
        return not (
            self.everything
            or self.cooperative_ids
            or self.regency_codes
            or self.district_codes
            or self.village_codes
        )

    def cooperative_filter(self) -> Q:
        """A Q over Cooperative rows in scope (never call when `everything`)."""
        links = CooperativeVillage.objects.filter(cooperative=OuterRef("pk")).filter(
            Q(regency_code__in=self.regency_codes)
            | Q(district_code__in=self.district_codes)
            | Q(village_id__in=self.village_codes)
        )
        condition = Q(pk__in=self.cooperative_ids)
        if self.regency_codes or self.district_codes or self.village_codes:
            condition |= Q(Exists(links))
        return condition


def _scope_from_grants(user: Any, grants: list[RoleGrant]) -> Scope:
    by_level: dict[str, set[str]] = {level: set() for level in RegionLevel.values}
    for grant in grants:
        if grant.region is not None:
            by_level[grant.region.level].add(grant.region.code)
    return Scope(
        everything=user.is_superuser or bool(by_level[RegionLevel.PROVINCE]),
        cooperative_ids=frozenset(g.cooperative_id for g in grants if g.cooperative_id),
        regency_codes=frozenset(by_level[RegionLevel.REGENCY]),
        district_codes=frozenset(by_level[RegionLevel.DISTRICT]),
        village_codes=frozenset(by_level[RegionLevel.VILLAGE]),
        roles=frozenset(g.role for g in grants),
    )


_NO_SCOPE = Scope(False, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


_GRANTS_ATTR = "_kopdes_grants"


def _grants(user: Any) -> list[RoleGrant]:
    """The user's grants, read once per request (cached on the user object like the scope)."""
    cached = getattr(user, _GRANTS_ATTR, None)
    if cached is None:
        cached = list(
            RoleGrant.objects.filter(user=user)
            .select_related("region")
            .only("role", "cooperative_id", "region__code", "region__level")
        )
        setattr(user, _GRANTS_ATTR, cached)
    return cached


def user_scope(user: Any) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = _NO_SCOPE
    else:
        scope = _scope_from_grants(user, _grants(user))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def role_scope(user: Any, role: Role | str) -> Scope:
    """What the user covers through their grants of one `role` only: a pengawas of one
    cooperative who is also a district officer decides pengawas steps for that cooperative alone.
    Superusers get no role they were not granted."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NO_SCOPE
    grants = [grant for grant in _grants(user) if grant.role == role]
    if not grants:
        return _NO_SCOPE
    scope = _scope_from_grants(user, grants)
    if user.is_superuser and not any(
        g.region is not None and g.region.level == RegionLevel.PROVINCE for g in grants
    ):
        # is_superuser widens what a superuser may *see*, never what a role lets them decide.
        scope = Scope(
            False,
            scope.cooperative_ids,
            scope.regency_codes,
            scope.district_codes,
            scope.village_codes,
            scope.roles,
        )
    return scope


def cooperatives_in(scope: Scope) -> QuerySet[Cooperative]:
    """The cooperatives one scope covers."""
    if scope.everything:
        return Cooperative.objects.all()
    if scope.nothing:
        return Cooperative.objects.none()
    return Cooperative.objects.filter(scope.cooperative_filter())


def grants_covering(cooperative: Cooperative) -> Q:
    """A Q over RoleGrant rows whose scope covers `cooperative`."""
    links = CooperativeVillage.objects.filter(cooperative=cooperative)
    return (
        Q(cooperative=cooperative)
        | Q(region__level=RegionLevel.PROVINCE)
        | Q(region__code__in=links.values("regency_code"))
        | Q(region__code__in=links.values("district_code"))
        | Q(region__code__in=links.values("village_id"))
    )


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's grants change."""
    for attr in (_CACHE_ATTR, _GRANTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def scope_queryset(queryset: QuerySet[M], user: Any, *, via: str = "cooperative") -> QuerySet[M]:
    """Restrict `queryset` to rows whose cooperative the user may see.

    `via` is the lookup path from the queryset's model to its Cooperative ("" when the queryset
    is of cooperatives themselves, "loan__cooperative" for rows owned through another row).
    """
    scope = user_scope(user)
    if scope.everything:
        return queryset
    if scope.nothing:
        return queryset.none()
    if not via:
        return queryset.filter(scope.cooperative_filter())
    visible = Cooperative.objects.filter(scope.cooperative_filter()).values("pk")
    return queryset.filter(**{f"{via}__in": visible})


def visible_cooperatives(user: Any) -> QuerySet[Cooperative]:
    return scope_queryset(Cooperative.objects.all(), user, via="")


def get_in_scope_or_404(
    queryset: QuerySet[M], user: Any, *, via: str = "cooperative", **lookup: Any
) -> M:
    """The object matching `lookup` if the user may see it; otherwise 404, never 403, so that
    nobody learns what exists outside their scope."""
    try:
        return scope_queryset(queryset, user, via=via).get(**lookup)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc


def user_has_role(user: Any, role: Role | str, cooperative: Cooperative | None = None) -> bool:
    """Whether the user holds `role` on a scope that covers `cooperative` (any scope if None)."""
    if cooperative is None:
        return role in user_scope(user).roles
    return RoleGrant.objects.filter(grants_covering(cooperative), user=user, role=role).exists()
