"""Reads of imports: which runs a user sees, who may import, and the rows of a run."""

from typing import Any

from django.db.models import QuerySet

from cooperatives.enums import Role
from cooperatives.models import Cooperative
from cooperatives.scoping import get_in_scope_or_404, scope_queryset, user_has_role

from .models import ImportRun


def may_import(*, user: Any, cooperative: Cooperative) -> bool:
    """Imports write a cooperative's own books: its operators do that (and superusers)."""
    return bool(user.is_superuser) or user_has_role(user, Role.OPERATOR, cooperative)


def import_history(*, user: Any, cooperative: Cooperative) -> QuerySet[ImportRun]:
    return scope_queryset(ImportRun.objects.filter(cooperative=cooperative), user).select_related(
        "uploaded_by", "confirmed_by", "form"
    )


def import_run_get(*, user: Any, pk: Any) -> ImportRun:
    """A run the user may see (its cooperative is in scope); Http404 otherwise."""
    return get_in_scope_or_404(
        ImportRun.objects.select_related("cooperative", "uploaded_by", "confirmed_by", "form"),
        user,
        pk=pk,
    )
