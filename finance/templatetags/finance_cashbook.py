"""What an applied cash-book import left for the books, for the import's result page."""

from typing import Any

from django import template

from ..cashbook import cashbook_pending

register = template.Library()


@register.simple_tag
def cashbook_waiting(run: Any) -> dict[str, int]:
    """{"rows": pending rows of the import, "unknown": account names among them not mapped
    yet (rows without a name counting as one)}; one aggregate query."""
    book = cashbook_pending(run.cooperative, import_run=run, suggest=False)
    return {"rows": book.rows, "unknown": book.unknown_count}
