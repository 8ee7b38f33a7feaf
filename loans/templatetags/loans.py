"""Template helpers of the loan pages."""

from typing import Any

from django import template

from loans.selectors import COLLECTIBILITY_SHORT

register = template.Library()


@register.filter
def kol_short(value: Any) -> str:
    """The short name of a collectibility class, as OJK reports write it: "dpk" → "DPK"."""
    return COLLECTIBILITY_SHORT.get(str(value), str(value))
