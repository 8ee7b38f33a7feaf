"""Who may read and who may keep a cooperative's books. Every view and API endpoint of the
books asks here; the cooperative itself comes through the one scoping function."""

from typing import Any

from django.http import Http404

from cooperatives.enums import Role
from cooperatives.models import Cooperative, RoleGrant
from cooperatives.scoping import get_in_scope_or_404, grants_covering

# The operator (pengurus, treasurer) keeps the books; the pengawas checks them.
KEEP_ROLES = frozenset({Role.OPERATOR})
CHECK_ROLES = frozenset({Role.PENGAWAS})


def roles_on(user: Any, cooperative: Cooperative) -> set[str]:
    """The roles the user holds over `cooperative` (cached on the user for the request)."""
    cache = getattr(user, "_kopdes_book_roles", None)
    if cache is None:
        cache = {}
        user._kopdes_book_roles = cache
    if cooperative.pk not in cache:
        cache[cooperative.pk] = set(
            RoleGrant.objects.filter(grants_covering(cooperative), user=user).values_list(
                "role", flat=True
            )
        )
    return cache[cooperative.pk]


def books_cooperative(user: Any, pk: Any) -> Cooperative:
    """The cooperative whose books are asked for, if the user may see it; 404 otherwise
    (never 403, so nobody learns which cooperatives exist outside their scope)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_in_scope_or_404(Cooperative.objects.all(), user, via="", pk=pk)


def may_keep_books(user: Any, cooperative: Cooperative) -> bool:
    """Post entries, record savings, map cash-book names, set the AD/ART figures."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or roles_on(user, cooperative) & KEEP_ROLES)
