"""Template filters of the statements."""

from collections.abc import Iterable, Sequence
from typing import Any

from django import template

register = template.Library()


@register.filter
def with_labels(amounts: Sequence[Any], columns: Iterable[Any]) -> list[tuple[str, Any]]:
    """Each amount of a row beside its column's label, so that a phone can show the label
    next to the figure when the table is laid out as one block per account."""
    return [(str(column.label), amount) for column, amount in zip(columns, amounts, strict=False)]
